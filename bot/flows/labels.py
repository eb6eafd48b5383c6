"""Names of things that several flows show."""

from bot.i18n import N_, _
from bot.models import Role

ROLE_LABELS = {
    Role.POLICE: N_("commune police officer"),
    Role.SUPERVISOR: N_("village supervisor"),
    Role.RETURNEE: N_("returnee or person under community supervision"),
    Role.FAMILY: N_("family member"),
    Role.PROVINCE: N_("provincial police officer"),
}


def role_label(role: Role) -> str:
    return _(ROLE_LABELS[role])
