import re

from postconv.check.seen import SeenSet, pack


def test_seen_set_finds_repeats_exactly():
    seen = SeenSet()
    ids = [f"RR{n:08d}{n % 10}GB" for n in range(50_000)]
    assert not any(seen.add(i) for i in ids)
    assert all(seen.add(i) for i in ids[::7])
    assert len(seen) == 50_000


def test_pack_is_exact_for_s10_and_separates_others():
    assert pack("AA000000000AA") == 1
    assert pack("ZZ999999999ZZ") < 1 << 63
    assert pack("not an s10") >= 1 << 63
    seen = SeenSet()
    assert not seen.add("not an s10") and seen.add("not an s10")


def test_only_the_s10_form_packs_exactly():
    s10 = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")
    samples = ["RR473124829GB", "rr473124829gb", "RR 73124829GB", "RR+73124829GB",
               "RR٤73124829GB", "RR47312482\uff19GB", "R1473124829GB", "RR473124829G1",
               "RR473124829GBX", "ÄR473124829GB"]
    for sample in samples:
        assert (pack(sample) < 1 << 63) == bool(s10.fullmatch(sample)), sample


def test_run_state_merges_parts_of_a_run_in_order():
    """What --jobs and a cluster do with the parts of a run: the keys each part saw, the
    repeats of an earlier part, a part converted again knowing just those."""
    from array import array

    from postconv.check.seen import RunState, pack

    first, second = RunState(), RunState()
    for number in ("RR473124829GB", "RR473124832GB"):
        first.seen.add(number)
    for number in ("RR473124846GB", "RR473124829GB"):
        second.seen.add(number)
    assert sorted(array("Q", first.keys())) == sorted(
        [pack("RR473124829GB"), pack("RR473124832GB")])
    run = RunState()
    assert run.repeats(first.keys()) == b""
    run.merge(first.keys())
    repeats = run.repeats(second.keys())
    assert repeats == array("Q", [pack("RR473124829GB")]).tobytes()
    again = RunState()
    again.preload(repeats)  # the second part, converted again
    assert again.seen.add("RR473124829GB") and not again.seen.add("RR473124846GB")
