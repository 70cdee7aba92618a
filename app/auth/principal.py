"""The caller of a request, as the server checks it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["admin", "planner", "agent", "auditor"]
ROLES: tuple[Role, ...] = get_args(Role)


@dataclass(frozen=True)
class Principal:
    """A signed-in user. ``team`` scopes a planner; ``agent_id`` names an agent user's own
    agent in plans; ``token_id`` is the personal access token used, if any."""

    user_id: str
    username: str
    role: Role
    team: str | None = None
    agent_id: str | None = None
    token_id: str | None = None

    @property
    def sees_every_team(self) -> bool:
        """Admins and auditors see every team's plans; planners only their own team's."""
        return self.role in ("admin", "auditor")

    def may_see_team(self, team: str | None) -> bool:
        """Whether plans of ``team`` are visible to this caller."""
        return self.sees_every_team or (self.role == "planner" and team == self.team)

    @property
    def rate_key(self) -> str:
        """What rate limits count against: the token, or the user for sign-in tokens."""
        return f"token:{self.token_id}" if self.token_id else f"user:{self.user_id}"
