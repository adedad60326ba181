package dev.anneal.worker.model.layers;

/**
 * A module that only groups children under a name, like a PyTorch module whose forward just calls its
 * children ({@code attention}, {@code encoder.layer}); the enclosing block runs the children.
 */
public final class ModuleGroup extends NamedBlock {
    public <B extends NamedBlock> B add(String name, B block) {
        return module(name, block);
    }
}
