"""A grpcio client trains txtai's basic scenario through the gateway; genuine transformers then loads the
saved directory and predicts with it."""

from pathlib import Path

import grpc
import pytest
import torch
from google.protobuf import struct_pb2
from safetensors import safe_open
from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertForSequenceClassification

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "fixtures" / "hf" / "generated" / "bert" / "BertModel"


def rows(pb, repeat):
    data = pb.Rows()
    for _ in range(repeat):
        for text, label in (("Dogs", 0), ("dog", 0), ("Cats", 1), ("cat", 1)):
            row = struct_pb2.Struct()
            row.update({"text": text, "label": label})
            data.rows.append(row)
    return data


@pytest.fixture(scope="module")
def trained(stubs, gateway):
    pb, pb_grpc = stubs
    with grpc.insecure_channel(gateway["target"]) as channel:
        client = pb_grpc.TrainServiceStub(channel)
        request = pb.TrainRequest(
            base=str(BASE),
            train=pb.Dataset(rows=rows(pb, 100)),
            validation=pb.Dataset(rows=rows(pb, 2)),
            metrics=["accuracy"],
            args=pb.TrainingArguments(num_train_epochs=1, learning_rate=1e-3, per_device_train_batch_size=16,
                                      logging_steps=5),
        )
        events = list(client.Train(request, timeout=600))
        job = client.GetJob(pb.GetJobRequest(job_id=events[0].job_id))
    return pb, events, job


def test_events_arrive_in_sequence_and_the_job_succeeds(trained):
    pb, events, job = trained
    assert events[0].WhichOneof("event") == "accepted"
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    finished = events[-1].finished
    assert finished.state == pb.SUCCEEDED, finished.error.message
    assert job.state == pb.SUCCEEDED
    assert finished.metrics["eval_accuracy"] == 1.0


def test_transformers_loads_the_saved_model_and_predicts(trained):
    _, events, _ = trained
    model_dir = events[-1].finished.model_location
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    assert isinstance(model, BertForSequenceClassification)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    with torch.no_grad():
        logits = model(**tokenizer(["cat", "dog", "Cats", "Dogs"], return_tensors="pt", padding=True)).logits
    assert logits.argmax(-1).tolist() == [1, 0, 1, 0]


def test_saved_tensors_are_exactly_hugging_faces(trained):
    _, events, _ = trained
    model_dir = Path(events[-1].finished.model_location)
    with safe_open(str(model_dir / "model.safetensors"), "pt") as saved:
        names = set(saved.keys())
        dtypes = {saved.get_tensor(n).dtype for n in names}
    reference = BertForSequenceClassification.from_pretrained(str(model_dir))
    expected = {name for name in reference.state_dict()}
    assert names == expected
    assert dtypes == {torch.float32}
