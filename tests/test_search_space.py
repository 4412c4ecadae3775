"""The 52-character code: parsing, every invalidity rule, candidate sets, space size, and
the round trip through a supernet for all 45,000 official test codes."""
import itertools
import json
import random
from pathlib import Path

import pytest

from hnas.models import build_supernet
from hnas.search_space import (CODE_LENGTH, InvalidCodeError, SearchSpace, hamming_distance,
                               parse_code)

OFFICIAL = Path(__file__).resolve().parents[1] / "checkpoints" / "CVPR_2022_NAS_Track1_test.json"
VALID = "1252233313000000223212122253130000000000006515000000"  # depths 2 5 2 2, stem 3


@pytest.fixture(scope="module")
def official_codes():
    with open(OFFICIAL) as handle:
        return [entry["arch"] for entry in json.load(handle).values()]


def mutate(code, pos, char):
    return code[:pos] + char + code[pos + 1:]


def test_valid_code_decodes():
    arch = parse_code(VALID)
    assert arch.image == 1 and arch.stem == 3
    assert arch.depths == (2, 5, 2, 2)
    assert arch.stages[0] == ((3, 3), (1, 3))
    assert arch.stages[1] == ((2, 2), (3, 2), (1, 2), (1, 2), (2, 2))
    assert arch.stages[3] == ((6, 5), (1, 5))
    assert [arch.stream_code(s) for s in range(4)] == [3, 2, 3, 5]
    assert arch.encode() == VALID


@pytest.mark.parametrize("code, rule", [
    (VALID[:-1], "length must be 52, got 51"),
    (VALID + "0", "length must be 52, got 53"),
    (mutate(VALID, 20, "x"), "non-digit character 'x' at position 20"),
    (mutate(VALID, 0, "2"), "unknown image-size index 2"),
    (mutate(VALID, 1, "1"), "stage 1 depth 1 at position 1 is out of range 2..5"),
    (mutate(VALID, 3, "9"), "stage 3 depth 9 at position 3 is out of range 2..8"),
    (mutate(VALID, 5, "0"), "stem width code 0 at position 5 is not in 1..7"),
    (mutate(VALID, 5, "8"), "stem width code 8 at position 5 is not in 1..7"),
    (mutate(VALID, 6, "0"), "stage 1 block 1 is active but its width code 0 at position 6"),
    (mutate(VALID, 8, "8"), "stage 1 block 2 is active but its width code 8 at position 8"),
    (mutate(VALID, 16, "9"), "stage 2 block 1 is active but its width code 9 at position 16"),
    (mutate(VALID, 11, "1"), "stage 1 block 3 lies beyond depth 2 and must be '00', got '01'"),
    (mutate(VALID, 51, "3"), "stage 4 block 5 lies beyond depth 2 and must be '00', got '03'"),
    (mutate(VALID, 19, "3"), "residual tie broken: stage 2 second-conv codes differ ([2, 3])"),
    (mutate(VALID, 5, "2"), "stage 1 second-conv code 3 differs from stem code 2"),
])
def test_each_rule_is_rejected_with_its_own_message(code, rule):
    with pytest.raises(InvalidCodeError) as info:
        parse_code(code, key="arch77")
    message = str(info.value)
    assert message.startswith("arch77: invalid architecture code")
    assert rule in message
    assert info.value.key == "arch77"


def test_non_string_code_is_rejected():
    with pytest.raises(InvalidCodeError, match="k: .*must be a string, got int"):
        parse_code(12345, key="k")


def test_all_official_codes_parse_and_lie_in_the_test_distribution(official_codes):
    assert len(official_codes) == 45000
    space = SearchSpace.test_distribution()
    archs = [parse_code(code, f"arch{i + 1}") for i, code in enumerate(official_codes)]
    assert all(arch.encode() == code for arch, code in zip(archs, official_codes))
    assert all(space.contains(arch) for arch in archs)
    # the narrow sets are tight: every allowed code is used somewhere
    assert {a.stem for a in archs} == {1, 2, 3}
    assert {c for a in archs for pair in a.stages[2] for c in pair} == {1, 2, 3, 4, 5}
    assert {c for a in archs for pair in a.stages[3] for c in pair} == set(range(1, 8))
    assert not all(SearchSpace.from_config({"base": "test", "stage_codes": [[1, 2, 3]] * 3 + [[1, 2]]})
                   .contains(a) for a in archs)


def test_all_official_codes_round_trip_through_a_supernet(official_codes):
    supernet = build_supernet("resnet48", num_classes=2, width_mult=0.05, small_input=True)
    for key, code in enumerate(official_codes):
        supernet.activate(code, key=f"arch{key + 1}")
        assert supernet.gen_subnet_code() == code


def test_supernet_activate_names_the_key_of_a_bad_code():
    supernet = build_supernet("resnet48", num_classes=2, width_mult=0.05, small_input=True)
    with pytest.raises(InvalidCodeError, match="arch9: .*stem width code 9"):
        supernet.activate(mutate(VALID, 5, "9"), key="arch9")


def test_full_space_size_is_exact():
    def stage_total(codes, depths):
        return sum(codes ** d for d in depths)

    expected = 7 * stage_total(7, range(2, 6))  # stem, stage 1 (stream tied to the stem)
    for depths in (range(2, 6), range(2, 9), range(2, 6)):
        expected *= 7 * stage_total(7, depths)  # own stream code, then first-conv codes
    size = SearchSpace.full().size()
    assert isinstance(size, int) and size == expected
    assert 1.2155e23 < size < 1.2165e23


def test_size_and_contains_agree_with_brute_force_enumeration():
    space = SearchSpace.from_config({"stem_codes": [1, 2], "stage_codes": [[1, 2], [1, 2], [1], [1]],
                                     "stage_depths": [[2], [2, 3], [2], [2]]})
    tail = "1111" + "0" * 12 + "1111000000"  # stages 3 and 4: two (1, 1) blocks each
    count = 0
    for d2 in (2, 3):
        active = 1 + 4 + 2 * d2
        for chars in itertools.product("12", repeat=active):
            stage1 = "".join(chars[1:5]) + "000000"
            stage2 = "".join(chars[5:]).ljust(10, "0")
            code = "12" + str(d2) + "22" + chars[0] + stage1 + stage2 + tail
            assert len(code) == CODE_LENGTH
            try:
                arch = parse_code(code)
            except InvalidCodeError:
                continue
            count += space.contains(arch)
    assert count == space.size() == 2 * 2 ** 2 * (2 ** 2 + 2 ** 3) * 2


def test_largest_and_smallest():
    full, test = SearchSpace.full(), SearchSpace.test_distribution()
    assert full.largest().encode() == "1558511" + "1" * 45
    assert test.largest().encode() == full.largest().encode()
    stage3_tail = "0" * 12
    assert full.smallest().encode() == ("122227" + "7777000000" + "7777000000" + "7777" + stage3_tail
                                        + "7777000000")
    assert test.smallest().encode() == ("122223" + "3333000000" + "3333000000" + "5555" + stage3_tail
                                        + "7777000000")
    assert not test.contains(full.smallest())
    assert test.contains(test.smallest()) and test.contains(test.largest())


def test_random_is_reproducible_and_respects_per_stage_sets():
    space = SearchSpace.from_config({"stem_codes": [2, 3], "stage_codes": [[4], [1, 5], [2, 3, 6], [7]],
                                     "stage_depths": [[3], [2, 4], [5, 8], [2, 3, 4, 5]]})
    first = [space.random(random.Random(123)).encode() for _ in range(3)]
    rng_a, rng_b = random.Random(7), random.Random(7)
    draws_a = [space.random(rng_a) for _ in range(300)]
    draws_b = [space.random(rng_b) for _ in range(300)]
    assert [a.encode() for a in draws_a] == [b.encode() for b in draws_b]
    assert len(set(first)) == 1
    assert len({a.encode() for a in draws_a}) > 250
    seen_depths = [set() for _ in range(4)]
    for arch in draws_a:
        assert space.contains(arch)
        parse_code(arch.encode())  # every draw is a valid code
        assert arch.stem in (2, 3) and arch.stream_code(0) == arch.stem
        assert all(first in (4,) for first, _ in arch.stages[0])
        assert all(pair[0] in (1, 5) and pair[1] in (1, 5) for pair in arch.stages[1])
        assert all(pair[0] in (2, 3, 6) and pair[1] in (2, 3, 6) for pair in arch.stages[2])
        for s, d in enumerate(arch.depths):
            seen_depths[s].add(d)
    assert seen_depths == [{3}, {2, 4}, {5, 8}, {2, 3, 4, 5}]


def test_hamming_distance_ignores_the_first_five_chars():
    other = mutate(mutate(VALID, 1, "3"), 20, "7")
    assert hamming_distance(VALID, VALID) == 0
    assert hamming_distance(VALID, other) == 1
    with pytest.raises(ValueError):
        hamming_distance(VALID, VALID[:-1])
