"""A grpcio client trains token-detection (ELECTRA generator + discriminator) through the gateway; genuine
transformers then loads the two saved parts, every weight accounted for, with the word embeddings shared."""

from pathlib import Path

import grpc
import pytest
import torch
from google.protobuf import struct_pb2
from transformers import AutoTokenizer, ElectraForMaskedLM, ElectraForPreTraining

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "fixtures" / "hf" / "generated" / "electra" / "ElectraForPreTraining"
TEXTS = ["Dogs", "dog", "Cats", "cat", "the cat sat on the mat", "a dog barked at the cat"]


@pytest.fixture(scope="module")
def trained(stubs, gateway):
    pb, pb_grpc = stubs
    data = pb.Rows()
    for _ in range(20):
        for text in TEXTS:
            row = struct_pb2.Struct()
            row.update({"text": text})
            data.rows.append(row)
    with grpc.insecure_channel(gateway["target"]) as channel:
        client = pb_grpc.TrainServiceStub(channel)
        request = pb.TrainRequest(
            base=str(BASE), task=pb.TOKEN_DETECTION, train=pb.Dataset(rows=data), maxlength=16,
            args=pb.TrainingArguments(max_steps=6, learning_rate=1e-3, per_device_train_batch_size=8, logging_steps=2),
        )
        events = list(client.Train(request, timeout=600))
    return pb, events


def test_transformers_loads_generator_and_discriminator(trained):
    pb, events = trained
    finished = events[-1].finished
    assert finished.state == pb.SUCCEEDED, finished.error.message
    model_dir = Path(finished.model_location)
    generator, generator_info = ElectraForMaskedLM.from_pretrained(model_dir / "generator", output_loading_info=True)
    discriminator, discriminator_info = ElectraForPreTraining.from_pretrained(
        model_dir / "discriminator", output_loading_info=True)
    for info in (generator_info, discriminator_info):
        assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"], info
    shared = generator.electra.embeddings.word_embeddings.weight
    assert torch.equal(shared, discriminator.electra.embeddings.word_embeddings.weight)
    base = ElectraForPreTraining.from_pretrained(BASE)
    assert not torch.equal(shared, base.electra.embeddings.word_embeddings.weight), "the embeddings were trained"

    tokenizer = AutoTokenizer.from_pretrained(model_dir / "discriminator")
    with torch.no_grad():
        logits = discriminator(**tokenizer(["the cat sat on the mat"], return_tensors="pt")).logits
    assert logits.shape[-1] == len(tokenizer("the cat sat on the mat")["input_ids"])
    assert torch.isfinite(logits).all()
