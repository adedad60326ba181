# TorchScript (the dialect torch.jit.save writes) for OptimizerKernels.java: each method is one call into
# libtorch's multi-tensor kernels, so a training step's update is a single pass over every parameter
# instead of a dozen separate tensor ops per parameter.
class OptimizerKernels(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def adamw(self: __torch__.OptimizerKernels,
    params: List[Tensor],
    grads: List[Tensor],
    exp_avgs: List[Tensor],
    exp_avg_sqs: List[Tensor],
    steps: List[Tensor],
    lr: float,
    beta1: float,
    beta2: float,
    weight_decay: float,
    eps: float) -> int:
    torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)
    return 0
  def clip_grad_norm(self: __torch__.OptimizerKernels,
    grads: List[Tensor],
    max_norm: float) -> Tensor:
    total = torch.linalg_vector_norm(torch.stack(torch._foreach_norm(grads, 2.)), 2.)
    if max_norm > 0.:
      coefficient = torch.clamp(torch.mul(torch.reciprocal(torch.add(total, 9.9999999999999995e-07)), max_norm), None, 1.)
      torch._foreach_mul_(grads, coefficient)
    return total
  def zero_grad(self: __torch__.OptimizerKernels,
    grads: List[Tensor]) -> int:
    torch._foreach_zero_(grads)
    return 0
