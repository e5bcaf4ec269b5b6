from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from copilot.errors import field_problems


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: int


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    inner: Inner


def error_of(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate(data)
    return caught.value


def test_each_problem_names_its_field_path() -> None:
    problems = field_problems(error_of({"inner": {"size": "big"}}))
    assert problems == (
        "name: Field required; "
        "inner.size: Input should be a valid integer, unable to parse string as an integer"
    )


def test_a_problem_with_the_whole_object_and_a_prefix() -> None:
    assert field_problems(error_of([]), "(row)") == (
        "(row): Input should be a valid dictionary or instance of Outer"
    )
    assert field_problems(error_of({"name": "x"}), prefix="vars.") == "vars.inner: Field required"
