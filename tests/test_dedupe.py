from bot.frontends.dedupe import SeenIds


def test_a_repeat_within_the_window_is_refused_and_forgotten_after_it() -> None:
    now = [0.0]
    seen = SeenIds(ttl=60, clock=lambda: now[0])
    assert seen.first_time("Ev1") and not seen.first_time("Ev1")
    assert seen.first_time("Ev2")
    now[0] = 61
    assert seen.first_time("Ev1")  # a minute later the id is free again
    assert len(seen) == 1  # Ev2 expired too


def test_memory_is_bounded_oldest_first() -> None:
    seen = SeenIds(max_size=3)
    for key in "abcd":
        assert seen.first_time(key)
    assert len(seen) == 3
    assert seen.first_time("a")  # forgotten: the oldest went first
    assert not seen.first_time("d")
