"""Architecture descriptions: parsing, validation, TOML, errors."""

import pytest

from rankstrat.theory.errors import SpecError
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import load_spec, parse_spec, spec_from_mapping

EXAMPLES = [
    "mf:n1=4,k=4,n2=4",
    "mf:n1=3,k=2,n2=5,depth=3",
    "twolayer:d=3,k=5,act=tanh,bias=1",
    "mlp:d=3,widths=4-4,act=tanh,bias=0",
    "cnn1d:d=5,s=3,k=2,share=1,bias=1",
    "cnn2d:d=6,s=3,k=2,share=0,bias=0",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_round_trip(text):
    spec = parse_spec(text)
    assert parse_spec(str(spec)) == spec
    assert hash(parse_spec(str(spec))) == hash(spec)


@pytest.mark.parametrize("text", EXAMPLES)
def test_parameter_count_closed_form_matches_shapes(text):
    spec = parse_spec(text)
    assert spec.module.num_params_formula(spec).value == num_params(spec)


@pytest.mark.parametrize(
    "text, message",
    [
        ("resnet:d=3", "unknown family 'resnet'"),
        ("twolayer:d=3,k=5,width=2", "unknown key 'width'; expected one of d, k, act, bias"),
        ("twolayer:d=3", "missing key 'k'"),
        ("twolayer:d=-1,k=2", "key 'd' must be an integer >= 1, got '-1'"),
        ("twolayer:d=2.5,k=2", "key 'd' must be an integer >= 1, got '2.5'"),
        ("twolayer:d=2,k=2,act=gelu", "unknown activation 'gelu'"),
        ("twolayer:d=2,k=2,bias=2", "key 'bias' must be 0 or 1"),
        ("mlp:d=2,widths=3-0", "key 'widths' must be a '-'-separated list"),
        ("mf:n1=2,k=2,n2=2,depth=1", "key 'depth' must be an integer >= 2"),
        ("cnn1d:d=2,s=3,k=1", "kernel size s=3 must not exceed the input size d=2"),
        ("twolayer:d=2,k", "cannot read 'k'"),
        ("twolayer:d=2,d=3,k=1", "key 'd' given twice"),
    ],
)
def test_bad_specs_say_which_key_and_what_is_accepted(text, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_spec(text)


def test_toml_file_is_accepted_in_place_of_the_string(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text('family = "twolayer"\nd = 3\nk = 5\nact = "tanh"\nbias = 1\n')
    assert load_spec(path) == parse_spec("twolayer:d=3,k=5,act=tanh,bias=1")
    assert parse_spec(str(path)) == load_spec(path)


def test_bad_toml_files(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("family = \n")
    with pytest.raises(SpecError, match="is not valid TOML"):
        load_spec(broken)
    with pytest.raises(SpecError, match="does not exist"):
        load_spec(tmp_path / "missing.toml")
    nofamily = tmp_path / "nofamily.toml"
    nofamily.write_text("d = 3\n")
    with pytest.raises(SpecError, match="no family"):
        load_spec(nofamily)


def test_replace_validates():
    spec = parse_spec("twolayer:d=3,k=5")
    assert spec.replace(k=2)["k"] == 2
    with pytest.raises(SpecError):
        spec.replace(k=0)
    assert spec_from_mapping(spec.as_dict()) == spec
