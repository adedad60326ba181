"""A grpcio client trains txtai's basic scenario with lora through the gateway; genuine peft then loads the
adapter Anneal saved onto the transformers base model and predicts with it. Anneal's own numbers come from a
second job that takes the LoRA job as its base with learning rate 0: Anneal merges the adapter into the base
weights and saves that as a plain model, so its logits are the adapted model's as Anneal computes them."""

import json
from pathlib import Path

import grpc
import pytest
import torch
from peft import PeftModel
from safetensors import safe_open
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from test_gateway_and_transformers import rows

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "fixtures" / "hf" / "generated" / "bert" / "BertModel"
TEXTS = ["cat", "dog", "Cats", "Dogs", "a cat and a dog"]


def train(pb, client, request):
    events = list(client.Train(request, timeout=600))
    finished = events[-1].finished
    assert finished.state == pb.SUCCEEDED, finished.error.message
    return events[0].job_id, Path(finished.model_location)


@pytest.fixture(scope="module")
def jobs(stubs, gateway):
    pb, pb_grpc = stubs
    with grpc.insecure_channel(gateway["target"]) as channel:
        client = pb_grpc.TrainServiceStub(channel)
        lora_job, adapter = train(pb, client, pb.TrainRequest(
            base=str(BASE),
            train=pb.Dataset(rows=rows(pb, 100)),
            lora=pb.LoraConfig(),
            args=pb.TrainingArguments(num_train_epochs=1, learning_rate=5e-3, per_device_train_batch_size=16),
        ))
        _, merged = train(pb, client, pb.TrainRequest(
            base=f"job:{lora_job}",
            train=pb.Dataset(rows=rows(pb, 1)),
            args=pb.TrainingArguments(max_steps=1, learning_rate=0.0),
        ))
    return adapter, merged


def logits(model, directory):
    tokenizer = AutoTokenizer.from_pretrained(str(directory))
    with torch.no_grad():
        return model(**tokenizer(TEXTS, return_tensors="pt", padding=True)).logits


def test_the_job_output_is_a_peft_adapter_directory(jobs):
    adapter, _ = jobs
    assert (adapter / "adapter_config.json").is_file()
    assert (adapter / "adapter_model.safetensors").is_file()
    assert (adapter / "tokenizer.json").is_file()
    assert not (adapter / "config.json").exists()
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert (config["peft_type"], config["r"], config["lora_alpha"], config["task_type"]) == ("LORA", 16, 8, "SEQ_CLS")
    assert config["base_model_name_or_path"] == str(BASE)


def test_peft_loads_the_adapter_with_nothing_missing_or_unused(jobs):
    adapter, _ = jobs
    base = AutoModelForSequenceClassification.from_pretrained(str(BASE), num_labels=2)
    model = PeftModel.from_pretrained(base, str(adapter))
    state = model.state_dict()
    with safe_open(str(adapter / "adapter_model.safetensors"), "pt") as saved:
        for name in saved.keys():
            in_memory = name.replace(".lora_A.weight", ".lora_A.default.weight") \
                .replace(".lora_B.weight", ".lora_B.default.weight") \
                .replace("classifier.", "classifier.modules_to_save.default.")
            assert in_memory in state, f"{name} is not a tensor of peft's model"
            assert torch.equal(state[in_memory], saved.get_tensor(name)), f"peft did not load {name}"
    adapted = {n for n in state if ".lora_A." in n}
    with safe_open(str(adapter / "adapter_model.safetensors"), "pt") as saved:
        assert len(adapted) == len([n for n in saved.keys() if ".lora_A." in n])


def test_peft_predicts_the_labels_and_logits_anneal_computes(jobs):
    adapter, merged = jobs
    base = AutoModelForSequenceClassification.from_pretrained(str(BASE), num_labels=2)
    peft_model = PeftModel.from_pretrained(base, str(adapter)).eval()
    peft_logits = logits(peft_model, adapter)
    anneal_model = AutoModelForSequenceClassification.from_pretrained(str(merged)).eval()
    anneal_logits = logits(anneal_model, merged)
    assert peft_logits[:4].argmax(-1).tolist() == [1, 0, 1, 0]
    assert anneal_logits.argmax(-1).tolist() == peft_logits.argmax(-1).tolist()
    assert torch.allclose(peft_logits, anneal_logits, atol=1e-4, rtol=0), (peft_logits, anneal_logits)


def test_peft_loads_a_qlora_adapter_onto_the_full_precision_base(stubs, gateway):
    """QLoRA trains on a 4-bit base, but its adapter has the same layout: peft attaches it to the full-precision
    base with every tensor used, and the labels survive the quantization error."""
    pb, pb_grpc = stubs
    with grpc.insecure_channel(gateway["target"]) as channel:
        _, adapter = train(pb, pb_grpc.TrainServiceStub(channel), pb.TrainRequest(
            base=str(BASE),
            train=pb.Dataset(rows=rows(pb, 100)),
            lora=pb.LoraConfig(),
            quantize=pb.QuantizeConfig(bnb_4bit_quant_type="nf4"),
            args=pb.TrainingArguments(num_train_epochs=1, learning_rate=5e-3, per_device_train_batch_size=16),
        ))
    base = AutoModelForSequenceClassification.from_pretrained(str(BASE), num_labels=2)
    model = PeftModel.from_pretrained(base, str(adapter)).eval()
    with safe_open(str(adapter / "adapter_model.safetensors"), "pt") as saved:
        assert len([n for n in model.state_dict() if ".lora_A." in n]) == len([n for n in saved.keys() if ".lora_A." in n])
    assert logits(model, adapter)[:4].argmax(-1).tolist() == [1, 0, 1, 0]
