"""Who may make the Pi hand WiFi credentials to a board outside the allowlist.

The allowlist is the administrators' decision (its actions are admin-only), so
anything that would step around it is for administrators too: `provision_all`
for every board, and provisioning or retrying one board the Pi does not list.

Calls without a user pass, as Home Assistant's own admin actions let them: an
automation or a script runs what an administrator wrote, and the user who set
off a state change is not the one who chose what the automation does. A call
naming a user that does not exist is refused (`UnknownUser`), as there.

Whether a board is allowlisted is asked of the Pi at the moment of the call,
never taken from the polled copy: an entry removed a minute ago must not still
count. Only calls by non-administrators pay for that request.
"""

from __future__ import annotations

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized, UnknownUser

from .api.client import PiOrchestratorClient
from .api.errors import PiOrchestratorNotFoundError
from .const import DOMAIN


class AdministratorRequired(Unauthorized):
    """`Unauthorized`, as admin actions raise it, saying what needs an administrator.

    Kept an `Unauthorized` so Home Assistant answers it as such (HTTP 401 on the
    REST API, `unauthorized` where it checks); the translated text is for people.
    """

    def __init__(
        self,
        context: Context | None,
        translation_key: str,
        translation_placeholders: dict[str, str] | None = None,
    ) -> None:
        """Refuse the caller of `context`, explained by `translation_key`."""
        super().__init__(context=context)
        self.translation_domain = DOMAIN
        self.translation_key = translation_key
        self.translation_placeholders = translation_placeholders
        self.generate_message = True


async def async_is_admin(hass: HomeAssistant, context: Context | None) -> bool:
    """Whether the caller may do what only administrators may; no user: yes."""
    if context is None or not context.user_id:
        return True
    user = await hass.auth.async_get_user(context.user_id)
    if user is None:
        raise UnknownUser(context=context)
    return user.is_admin


async def async_require_admin(
    hass: HomeAssistant,
    context: Context | None,
    translation_key: str = "admin_required",
    translation_placeholders: dict[str, str] | None = None,
) -> None:
    """Refuse a caller that is not an administrator; the one check every rule uses."""
    if not await async_is_admin(hass, context):
        raise AdministratorRequired(context, translation_key, translation_placeholders)


async def async_require_admin_unless_allowlisted(
    hass: HomeAssistant, context: Context | None, client: PiOrchestratorClient, mac: str
) -> None:
    """Let anyone act on an allowlisted board, only administrators on any other.

    A failure to ask the Pi is raised as the client's error (the action would have
    failed the same way): nothing is sent for the board unless the Pi said yes.
    """
    if await async_is_admin(hass, context):
        return
    try:
        listed = (await client.allowlist_entry(mac)).mac == mac
    except PiOrchestratorNotFoundError:
        listed = False
    if not listed:  # an answer about another board is no approval of this one
        raise AdministratorRequired(context, "admin_required_unlisted_board", {"mac": mac})
