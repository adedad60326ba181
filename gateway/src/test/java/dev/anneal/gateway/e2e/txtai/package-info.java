/**
 * txtai's HFTrainer test catalogue (neuml/txtai {@code test/python/testpipeline/testtrain/testtrainer.py}) as
 * end-to-end tests: each scenario is a real job submitted to the gateway's {@code Train} RPC on a random port,
 * on the generated fixtures ({@code fixtures/hf/generated}), and asserts what txtai asserts, on the model the
 * job saved, loaded back with the worker's classes ({@link dev.anneal.gateway.e2e.txtai.SavedModel},
 * {@link dev.anneal.gateway.e2e.txtai.TxtaiPipelines}). {@link dev.anneal.gateway.e2e.txtai.TrainedJob} checks
 * what every scenario shares: SUCCEEDED after QUEUED, SCHEDULED and the fourteen pipeline stages, contiguous
 * events, a saved Hugging Face directory (token-detection: one per part), evaluation metrics when validation
 * data is given.
 *
 * <table>
 *   <caption>txtai test → scenario</caption>
 *   <tr><td>testBasic</td><td>{@code TextClassificationScenariosTest.basic}</td></tr>
 *   <tr><td>testCustom</td><td>{@code TextClassificationScenariosTest.customBaseFromAnEarlierJob}</td></tr>
 *   <tr><td>testDataFrame, testDataset</td><td>{@code TextClassificationScenariosTest.dataFromAFile} (JSON lines,
 *       CSV, save_to_disk directory)</td></tr>
 *   <tr><td>testMultiLabel</td><td>{@code TextClassificationScenariosTest.multiLabel}</td></tr>
 *   <tr><td>testRegression</td><td>{@code TextClassificationScenariosTest.regression}</td></tr>
 *   <tr><td>testQA</td><td>{@code QuestionAnsweringScenarioTest}</td></tr>
 *   <tr><td>testSeqSeq</td><td>{@code SequenceSequenceScenarioTest}</td></tr>
 *   <tr><td>testMLM</td><td>{@code LanguageModelScenariosTest.maskedLanguageModeling}</td></tr>
 *   <tr><td>testCLM</td><td>{@code LanguageModelScenariosTest.causalLanguageModeling} (concat, pack, none)</td></tr>
 *   <tr><td>testKD</td><td>{@code DistillationScenarioTest} (teacher = an earlier job, {@code job:<id>}; only
 *       the student's tensors saved)</td></tr>
 *   <tr><td>testRTD</td><td>{@code TokenDetectionScenarioTest} (generator/ and discriminator/ saved and loadable,
 *       token accuracy; a later job fine-tunes {@code job:<id>/discriminator})</td></tr>
 *   <tr><td>testPEFT</td><td>when LoRA + 4-bit quantization land</td></tr>
 *   <tr><td>testEmpty</td><td>not a job: the worker's data tests</td></tr>
 * </table>
 *
 * <p>A new scenario is a {@code @QuarkusTest} class here (Quarkus starts one gateway for all of them) that
 * builds a {@code TrainRequest}, calls {@code TrainedJob.succeed(gateway, request)} and asserts txtai's check
 * on {@code job.modelDir()}. The fixtures are random-init, so scenarios raise epochs or the learning rate over
 * txtai's and say so in the test.
 */
package dev.anneal.gateway.e2e.txtai;
