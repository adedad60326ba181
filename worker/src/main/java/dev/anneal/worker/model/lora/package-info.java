/**
 * LoRA adapters in PEFT's form: {@link dev.anneal.worker.model.lora.LoraModel#apply} adds them to a loaded
 * model's linear layers (explicit target modules or PEFT's all-linear rule), freezes the base and keeps the
 * task head trainable (modules_to_save); {@code save}/{@code load} use PEFT's adapter directory layout.
 * {@link dev.anneal.worker.model.lora.LoraTransformerModel} is the model the training pipeline sees (its parameters
 * are what trains), {@link dev.anneal.worker.model.lora.LoraRequest} reads the request's {@code lora} field, and
 * {@code mergeAndUnload} folds an adapter into its base (a LoRA job used as a later base).
 */
package dev.anneal.worker.model.lora;
