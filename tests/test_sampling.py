"""Sampling rules: roles, counts, determinism per (seed, epoch, step), candidate sets,
fairness, phases, FLOPs bias, and no use of the global RNG."""
import random
from collections import Counter

import pytest

from hnas.flops import count_flops
from hnas.sampling import RULES, SubnetTask, build_rule, step_rng
from hnas.sampling.fairnas import fair_column
from hnas.search_space import NUM_STAGES, SearchSpace

FULL = SearchSpace.full()
TEST = SearchSpace.test_distribution()
EPOCHS = 20


def cfg(rule, **over):
    base = {"rule": rule, "num_subnets": 4, "candidates": 8, "phases": []}
    base.update(over)
    return base


def codes(tasks):
    return [(t.role, t.arch.encode()) for t in tasks]


EXPECTED_ROLES = {
    "spos": ["ce"] * 4,
    "sandwich": ["teacher", "student", "student", "student"],
    "fairnas": ["ce"] * 7,
    "progressive_shrinking": ["teacher", "student", "student", "student"],
    "biased": ["teacher", "student", "student", "student"],
}


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("space", [FULL, TEST], ids=["full", "test"])
def test_roles_counts_and_space(name, space):
    rule = build_rule(cfg(name), space, EPOCHS)
    last = EPOCHS - 1
    for step in range(5):
        tasks = rule.plan(step_rng(3, last, step), last)
        assert all(isinstance(t, SubnetTask) for t in tasks)
        assert [t.role for t in tasks] == EXPECTED_ROLES[name]
        for t in tasks:
            assert space.contains(t.arch), (name, t.arch.encode())
    assert space.contains(rule.largest(last))


@pytest.mark.parametrize("name", sorted(RULES))
def test_same_seed_same_plan_and_steps_differ(name):
    rule = build_rule(cfg(name), TEST, EPOCHS)
    epoch = EPOCHS - 1
    first = codes(rule.plan(step_rng(7, epoch, 2), epoch))
    # A second rule object, built independently, plans the same: what every rank does.
    again = codes(build_rule(cfg(name), TEST, EPOCHS).plan(step_rng(7, epoch, 2), epoch))
    assert first == again
    assert codes(rule.plan(step_rng(7, epoch, 3), epoch)) != first
    assert codes(rule.plan(step_rng(7, epoch - 1, 2), epoch)) != first
    assert codes(rule.plan(step_rng(8, epoch, 2), epoch)) != first


@pytest.mark.parametrize("name", sorted(RULES))
def test_global_random_state_untouched(name):
    random.seed(1234)
    before = random.getstate()
    rule = build_rule(cfg(name), TEST, EPOCHS)
    for epoch in (0, EPOCHS // 2, EPOCHS - 1):
        rule.plan(step_rng(0, epoch, 0), epoch)
        rule.largest(epoch)
    assert random.getstate() == before


def test_plan_refuses_the_global_random_module():
    rule = build_rule(cfg("spos"), TEST, EPOCHS)
    with pytest.raises(TypeError, match="private random.Random"):
        rule.plan(random, 0)
    with pytest.raises(ValueError, match="epoch"):
        rule.plan(step_rng(0, 0, 0), -1)


def test_sandwich_uses_the_space_extremes():
    rule = build_rule(cfg("sandwich"), TEST, EPOCHS)
    tasks = rule.plan(step_rng(0, 0, 0), 0)
    assert tasks[0].arch == TEST.largest() == rule.largest(0)
    smallest = tasks[1].arch
    assert smallest == TEST.smallest()
    assert smallest.depths == (2, 2, 2, 2)
    assert smallest.stem == 3
    assert [{c for pair in blocks for c in pair} for blocks in smallest.stages] == [{3}, {3}, {5}, {7}]
    full = build_rule(cfg("sandwich"), FULL, EPOCHS).plan(step_rng(0, 0, 0), 0)
    assert full[1].arch.encode() == FULL.smallest().encode()
    assert full[1].arch != smallest


def test_sandwich_needs_two_subnets():
    with pytest.raises(ValueError, match="num_subnets must be >= 2"):
        build_rule(cfg("sandwich", num_subnets=1), TEST, EPOCHS)


def layer_counts(tasks):
    """Per layer, how often each width choice was trained (active layers only)."""
    counts = {"stem": Counter(a.stem for a in (t.arch for t in tasks))}
    for t in tasks:
        for s, blocks in enumerate(t.arch.stages):
            if s > 0:
                counts.setdefault(f"stream{s + 1}", Counter())[t.arch.stream_code(s)] += 1
            for b, (first, _) in enumerate(blocks):
                counts.setdefault(f"stage{s + 1}.{b + 1}", Counter())[first] += 1
    return counts


def test_fairnas_full_space_every_choice_equally_often():
    rule = build_rule(cfg("fairnas"), FULL, EPOCHS)
    always_active = {"stem", "stream2", "stream3", "stream4",
                     *(f"stage{s + 1}.{b + 1}" for s in range(NUM_STAGES) for b in range(2))}
    for step in range(10):
        tasks = rule.plan(step_rng(0, 1, step), 1)
        assert len(tasks) == 7
        counts = layer_counts(tasks)
        for layer in always_active:
            assert counts[layer] == Counter(range(1, 8)), (layer, counts[layer])
        # Slots beyond some subnets' depth: trained less often, but never the same choice twice.
        for layer, counter in counts.items():
            assert max(counter.values()) == 1, (layer, counter)
        for t in tasks:
            assert all(d in FULL.stage_depths[s] for s, d in enumerate(t.arch.depths))


def test_fairnas_depths_stay_in_a_narrow_depth_set():
    space = SearchSpace.from_config({"base": "test", "stage_depths": [[3], [2, 4], [6, 7], [5]]})
    rule = build_rule(cfg("fairnas"), space, EPOCHS)
    seen = set()
    for step in range(20):
        for t in rule.plan(step_rng(0, 0, step), 0):
            assert space.contains(t.arch)
            seen.add(t.arch.depths[1])
    assert seen == {2, 4}


def test_fairnas_smaller_sets_differ_by_at_most_one():
    rule = build_rule(cfg("fairnas"), TEST, EPOCHS)
    tasks = rule.plan(step_rng(0, 0, 0), 0)
    assert len(tasks) == 7  # stage 4 has 7 choices
    counts = layer_counts(tasks)
    assert counts["stem"].keys() == {1, 2, 3}
    assert sorted(counts["stem"].values()) == [2, 2, 3]
    assert counts["stream4"] == Counter(range(1, 8))


def test_fair_column_is_concatenated_permutations():
    rng = random.Random(0)
    column = fair_column(rng, (1, 2, 3), 7)
    assert sorted(column[:3]) == [1, 2, 3] and sorted(column[3:6]) == [1, 2, 3]
    assert len(column) == 7


def test_progressive_shrinking_configured_phase_boundaries():
    phases = [
        {"epochs": 2, "depths": [[5], [5], [8], [5]], "stem_codes": [1], "stage_codes": [[1], [1], [1], [1]]},
        {"epochs": 3, "depths": [[4, 5], [4, 5], [7, 8], [4, 5]], "stem_codes": [1],
         "stage_codes": [[1], [1], [1], [1]]},
        {"epochs": 1, "depths": None, "stem_codes": None, "stage_codes": None},
    ]
    rule = build_rule(cfg("progressive_shrinking", phases=phases), TEST, 10)
    assert [(p.start, p.end) for p in rule.phases] == [(0, 2), (2, 5), (5, 6)]
    assert [rule.phase_index(e) for e in range(9)] == [0, 0, 1, 1, 1, 2, 2, 2, 2]
    assert rule.space_at(1).size() == 1
    # A single-subnet phase plans the teacher alone.
    assert codes(rule.plan(step_rng(0, 1, 0), 1)) == [("teacher", TEST.largest().encode())]
    for epoch in (2, 4):
        tasks = rule.plan(step_rng(0, epoch, 0), epoch)
        assert [t.role for t in tasks] == ["teacher", "student", "student", "student"]
        assert tasks[0].arch == rule.largest(epoch) == TEST.largest()
        for t in tasks[1:]:
            assert t.arch.depths[2] in (7, 8) and t.arch.stem == 1
    assert rule.space_at(5) == TEST and rule.space_at(500) == TEST


@pytest.mark.parametrize("phase, message", [
    ({"epochs": 2, "stem_codes": [1, 4]}, r"sampling.phases\[1\].stem_codes .* not a subset"),
    ({"epochs": 2, "stage_codes": [[1], [1], [6], [1]]}, r"sampling.phases\[1\].stage_codes\[2\] \(stage3\)"),
    ({"epochs": 2, "depths": [[5], [5], [9], [5]]}, r"sampling.phases\[1\].depths\[2\]"),
    ({"epochs": 2, "depths": [[5], [5], [8]]}, r"sampling.phases\[1\].depths must be a list of 4"),
    ({"epochs": 0}, r"sampling.phases\[1\].epochs must be a positive integer"),
    ({"depths": None}, r"sampling.phases\[1\] needs 'epochs'"),
    ({"epochs": 1, "width_codes": [1]}, r"sampling.phases\[1\] has unknown key\(s\) \['width_codes'\]"),
])
def test_progressive_shrinking_rejects_bad_phases(phase, message):
    phases = [{"epochs": 1}, phase]
    with pytest.raises(ValueError, match=message):
        build_rule(cfg("progressive_shrinking", phases=phases), TEST, 10)


@pytest.mark.parametrize("total", [1, 3, 10, 70])
@pytest.mark.parametrize("space", [FULL, TEST], ids=["full", "test"])
def test_progressive_shrinking_default_phases(total, space):
    rule = build_rule(cfg("progressive_shrinking"), space, total)
    phases = rule.phases
    assert phases[0].start == 0 and phases[-1].end == total
    assert all(a.end == b.start and a.end > a.start for a, b in zip(phases, phases[1:]))
    assert phases[-1].space == space
    sizes = [p.space.size() for p in phases]
    assert sizes == sorted(sizes)  # each phase admits at least what the previous did
    if total >= 10:
        assert len(phases) == 5
        assert sizes[0] == 1 and phases[0].space.largest() == space.largest()
        depth_phase, width_phase = phases[2].space, phases[3].space
        assert depth_phase.stage_depths == space.stage_depths and depth_phase.stem_codes == (1,)
        assert width_phase.stem_codes == tuple(sorted(space.stem_codes)[:(len(space.stem_codes) + 1) // 2])
    assert rule.space_at(total - 1) == space


def test_progressive_shrinking_default_lengths_follow_total_epochs():
    short = [(p.start, p.end) for p in build_rule(cfg("progressive_shrinking"), TEST, 20).phases]
    long = [(p.start, p.end) for p in build_rule(cfg("progressive_shrinking"), TEST, 40).phases]
    assert long == [(2 * a, 2 * b) for a, b in short]


def test_biased_keeps_the_top_flops_candidates():
    rule = build_rule(cfg("biased", num_subnets=4, candidates=10), TEST, EPOCHS)
    for step in range(5):
        tasks = rule.plan(step_rng(0, 0, step), 0)
        # Replay the K candidate draws from an identical RNG.
        replay = step_rng(0, 0, step)
        drawn = [TEST.random(replay) for _ in range(10)]
        flops = sorted((count_flops(a) for a in drawn), reverse=True)
        kept = [count_flops(t.arch) for t in tasks[1:]]
        assert kept == flops[:3]
        assert all(t.arch in drawn for t in tasks[1:])
        assert tasks[0].arch == TEST.largest() and tasks[0].role == "teacher"


def test_biased_candidates_must_cover_the_students():
    with pytest.raises(ValueError, match=r"sampling.candidates \(2\) must be >= sampling.num_subnets - 1 \(3\)"):
        build_rule(cfg("biased", num_subnets=4, candidates=2), TEST, EPOCHS)


@pytest.mark.parametrize("bad, message", [
    (cfg("darts"), r"unknown sampling rule 'darts' \(known: spos, sandwich, fairnas, progressive_shrinking, biased\)"),
    ({"num_subnets": 4}, r"unknown sampling rule None"),
    (cfg("spos", temperature=1), r"unknown sampling config key\(s\) \['temperature'\]"),
    (cfg("spos", num_subnets=0), r"sampling.num_subnets must be a positive integer"),
    (cfg("spos", num_subnets=2.0), r"sampling.num_subnets must be a positive integer"),
])
def test_build_rule_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        build_rule(bad, TEST, EPOCHS)


def test_build_rule_needs_a_search_space():
    with pytest.raises(TypeError, match="needs a SearchSpace"):
        build_rule(cfg("spos"), "test", EPOCHS)
