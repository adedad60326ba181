/**
 * 4-bit quantization of frozen linear weights as bitsandbytes does it (NF4 or FP4, blocks of 64 with absmax
 * scales), dequantized on the fly in forward: the base of QLoRA.
 */
package dev.anneal.worker.model.quantize;
