"""Who is asking: users, roles, passwords, personal access tokens and sign-in tokens."""

from app.auth.principal import ROLES, Principal, Role
from app.auth.users import IssuedToken, TokenInfo, UserInfo, UserStore

__all__ = ["ROLES", "IssuedToken", "Principal", "Role", "TokenInfo", "UserInfo", "UserStore"]
