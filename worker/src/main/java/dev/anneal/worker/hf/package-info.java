/**
 * Hugging Face file formats: {@code config.json} ({@link dev.anneal.worker.hf.HfConfig}), safetensors
 * (single file and sharded, read with validation of every header, written the way transformers does), and
 * atomic file writes.
 */
package dev.anneal.worker.hf;
