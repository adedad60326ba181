/**
 * TorchScript modules built from source at run time: the way to libtorch operators (fused optimizer
 * kernels, foreach ops) that DJL's NDArray API does not expose, without shipping a binary made by Python.
 */
package dev.anneal.worker.torchscript;
