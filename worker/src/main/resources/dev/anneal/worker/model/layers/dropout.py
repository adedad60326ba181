# TorchScript (the dialect torch.jit.save writes) for Dropout.java: inverted dropout's scaled keep mask built
# in place in one float32 buffer (uniform draws, compare, divide), where tensor ops would allocate three.
class DropoutNoise(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def noise(self: __torch__.DropoutNoise,
    like: Tensor,
    keep: Tensor) -> Tensor:
    noise = torch.rand_like(like, dtype=6)
    noise = torch.lt_(noise, keep)
    noise = torch.div_(noise, keep)
    return torch.to(noise, ops.prim.dtype(like))
