"""/language — anyone, registered or not, picks Vietnamese or English; the choice is stored.

```mermaid
stateDiagram-v2
    [*] --> choose
    choose --> [*]: lang:vi / lang:en
```
"""

from __future__ import annotations

from bot.dialog.types import Choice, Finish, Flow, Incoming, Reply, Step, StepContext
from bot.i18n import N_, _, use_locale

# Each language is named in itself, so a person who cannot read the current one still finds theirs.
LANGUAGES = (Choice("lang:vi", "Tiếng Việt"), Choice("lang:en", "English"))


async def prompt_language(ctx: StepContext) -> Reply:
    return Reply(_("Choose your language:"), LANGUAGES)


async def on_language(ctx: StepContext, incoming: Incoming) -> Finish:
    locale = incoming.choice.split(":", 1)[1]
    ctx.actor = await ctx.services.accounts.set_language(ctx.actor, locale)
    with use_locale(locale):
        return Finish((Reply(_("Done: I will speak English with you. Send /help to see what you can do.")),))


FLOW = Flow(
    name="language",
    command="language",
    title=N_("Language"),
    roles=frozenset(),
    first="choose",
    steps={"choose": Step(prompt_language, on_language)},
)
