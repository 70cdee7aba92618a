"""Typed dependencies for route handlers, read from the app's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.regions import RegionRegistry
from app.store import PlanStore


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_registry(request: Request) -> RegionRegistry:
    """The app's regions."""
    registry: RegionRegistry = request.app.state.registry
    return registry


def get_store(request: Request) -> PlanStore:
    """The app's plan store."""
    store: PlanStore = request.app.state.store
    return store


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
RegistryDep = Annotated[RegionRegistry, Depends(get_registry)]
StoreDep = Annotated[PlanStore, Depends(get_store)]
