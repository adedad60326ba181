/**
 * LoRA adapters in PEFT's form: {@link dev.anneal.worker.model.lora.LoraModel#apply} adds them to a loaded
 * model's linear layers (explicit target modules or PEFT's all-linear rule), freezes the base and keeps the
 * task head trainable (modules_to_save); {@code save}/{@code load} use PEFT's adapter directory layout.
 */
package dev.anneal.worker.model.lora;
