/**
 * Hugging Face transformer models as DJL blocks whose parameter names are transformers' state-dict names.
 *
 * <p>How the pipeline uses it:
 *
 * <pre>{@code
 * HfConfig config = HfConfig.read(dir);
 * ModelFamily family = ModelFamilies.requireSupported(config.modelType(), head); // INVALID_ARGUMENT otherwise
 * try (TransformerModel model = family.create(config, head)) {
 *     // model.setComputeType(DataType.FLOAT16);                     optional, before loading
 *     LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.initializeMissing(seed));
 *     ModelOutput out = model.forward(batch, true);                  // loss when the batch has labels
 *     model.namedParameters();                                       // optimizer: stored tensors, ties once
 *     HfCheckpoint.writeTo(model, outputDir);                       // config.json + model.safetensors
 * }
 * }</pre>
 *
 * <p>Names: every block extends {@link dev.anneal.worker.model.layers.NamedBlock}, which registers children
 * and parameters under their PyTorch attribute names; walking the tree gives the dotted names in state-dict
 * order. Tied weights (an MLM decoder sharing the word embeddings) are one DJL parameter visited once under
 * its stored name and once as an alias ({@link dev.anneal.worker.model.TransformerModel#tiedParameters()}).
 */
package dev.anneal.worker.model;
