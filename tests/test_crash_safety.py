"""The short version of bench/crash.py: `hoanhap run` killed with SIGKILL three times during
scripted check-ins, on each messenger, polled and by webhook; every confirmed check-in stored
once, conversations resumed, alerts once."""

from __future__ import annotations

import pytest

from bench.crash import run


@pytest.mark.parametrize("messenger, webhook", [("telegram", False), ("telegram", True), ("zalo", False),
                                                ("zalo", True)], ids=["telegram-polling", "telegram-webhook",
                                                                      "zalo-polling", "zalo-webhook"])
async def test_sigkill_during_check_ins_loses_nothing_and_repeats_nothing(messenger, webhook):
    result = await run(kills=3, checkins=4, seed=3, messenger=messenger, webhook=webhook)

    assert result["kills"] == 3
    if not (messenger == "zalo" and not webhook):  # only Zalo's offset-less polling can lose an event
        assert result["events_lost_by_the_platform"] == 0
    assert result["checkins_confirmed"] == 4  # every conversation was finished, through the restarts
    assert result["confirmed_stored_once"] and result["stored_twice"] == 0
    assert result["alerts_opened"] == result["alerts_expected"] == 2
    assert result["alert_messages_to_police"] == 2 and result["alert_messages_duplicated"] == 0
    assert result["outbox_unsent"] == 0
    assert result["confirmations_repeated"] <= result["kills"]  # at worst one repeated answer per crash
