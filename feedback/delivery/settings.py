"""Delivery configuration, read and checked once when the app is built (bad values fail then).

Keys (app config; the deployment sets them through the environment, see docs/delivery.md):

- DELIVERY_POLICY (mapping) or DELIVERY_POLICY_JSON (the same as JSON text): the schedule rules
  of `schedule.Policy`, plus an optional "clinics" mapping of clinic name -> overrides.
- SMS_SENDER_NAME: the neutral name that starts each SMS ("Your clinic").
- CLINIC_CONTACT: phone or e-mail for the HELP reply; SMS_HELP_REPLY: answer HELP ourselves.
- DELIVERY_CLAIM_TTL_SECONDS, DELIVERY_BATCH_SIZE, DELIVERY_UNCERTAIN_GRACE_MINUTES,
  SMS_WEBHOOK_RATE_LIMIT (requests a minute per client address and process).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from feedback.config import setting_on
from feedback.delivery.messages import DEFAULT_SENDER_NAME, check_sender_name, help_reply
from feedback.delivery.ratelimit import RateLimiter
from feedback.delivery.rules import MESSAGE_CHANNELS, first_open_channel, patient_block_reason
from feedback.delivery.schedule import Policy
from feedback.delivery.senders import Sender, TwilioSender, sender_from_config
from feedback.models import Patient
from feedback.phones import PhoneCipher

log = logging.getLogger(__name__)

_EXTENSION = "feedback.delivery"
#: A link as long as the real ones: base URL + "/s/" + a 43-character token.
_TOKEN_PLACEHOLDER = "x" * 43


@dataclass(frozen=True)
class DeliverySettings:
    policy: Policy
    clinic_policies: Mapping[str, Policy] = field(default_factory=dict)
    sender_name: str = DEFAULT_SENDER_NAME
    contact: str = ""
    help_reply: bool = True
    claim_ttl: timedelta = timedelta(minutes=2)
    batch_size: int = 50
    uncertain_grace: timedelta = timedelta(minutes=15)
    webhook_rate_limit: int = 300
    public_base_url: str = ""
    twilio_auth_token: str = ""

    def policy_for(self, clinic_name: str) -> Policy:
        return self.clinic_policies.get(clinic_name, self.policy)


#: Requests failing the signature check allowed per client address and minute before 429.
FORGED_PER_MINUTE = 20


@dataclass
class Delivery:
    """What the app keeps for delivery: settings, its one sender, the phone cipher and the
    webhook rate limiters (all requests; requests with a bad signature)."""

    settings: DeliverySettings
    sender: Sender
    cipher: PhoneCipher
    webhook_limit: RateLimiter
    forged_limit: RateLimiter
    #: False in production without a provider: SMS are then not planned (staff see why and
    #: hand the link over) instead of being "sent" to a log nobody reads.
    sms_enabled: bool = True
    #: Likewise for e-mail: False in production without SMTP_HOST (feedback/mail.py).
    email_enabled: bool = True


def init_app(app: Flask) -> Delivery:
    """Parse and check the configuration and build the sender; raises ValueError if unusable."""
    config = app.config
    settings = read_settings(config)
    link = (settings.public_base_url or "https://clinic.example.org").rstrip("/") + "/s/" + _TOKEN_PLACEHOLDER
    check_sender_name(settings.sender_name, link)
    sender = sender_from_config(config)
    timeout = getattr(sender, "timeout", 0)
    if settings.claim_ttl.total_seconds() < 3 * timeout:
        raise ValueError(
            f"DELIVERY_CLAIM_TTL_SECONDS must be at least three times the provider timeout ({timeout:g} s), "
            "or live sends would be taken for crashed ones"
        )
    if settings.help_reply and isinstance(sender, TwilioSender):
        if not settings.contact:
            raise ValueError("set CLINIC_CONTACT for the SMS HELP reply, or SMS_HELP_REPLY=false")
        help_reply(settings.contact, settings.sender_name)
    delivery = Delivery(
        settings,
        sender,
        PhoneCipher(config["PHONE_ENCRYPTION_KEY"]),
        webhook_limit=RateLimiter(settings.webhook_rate_limit),
        forged_limit=RateLimiter(FORGED_PER_MINUTE),
        sms_enabled=isinstance(sender, TwilioSender) or config.get("APP_ENV") != "production",
        email_enabled=bool(config.get("SMTP_HOST")) or config.get("APP_ENV") != "production",
    )
    if config.get("APP_ENV") == "production" and (delivery.sms_enabled or delivery.email_enabled):
        check_public_base_url(settings.public_base_url)
    if not delivery.sms_enabled:
        log.warning("no SMS provider configured (TWILIO_*): patients get their links from their therapist")
    app.extensions[_EXTENSION] = delivery
    return delivery


def check_public_base_url(base: str) -> None:
    """In production, SMS and e-mail links need the address patients reach the app at: the worker
    builds them outside any request, where the default would be a loopback address, and an
    unsubscribe link must be https (RFC 8058)."""
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(
            "PUBLIC_BASE_URL must be the https:// address patients reach the app at "
            "(SMS and e-mail links are built from it)"
        )


def read_settings(config: Mapping[str, Any]) -> DeliverySettings:
    mapping = _policy_mapping(config)
    clinics = mapping.pop("clinics", {}) or {}
    if not isinstance(clinics, Mapping):
        raise ValueError("DELIVERY_POLICY's 'clinics' must map clinic names to settings")
    policy = Policy.from_mapping(mapping)
    clinic_policies = {name: Policy.from_mapping({**mapping, **overrides}) for name, overrides in clinics.items()}
    return DeliverySettings(
        policy=policy,
        clinic_policies=clinic_policies,
        sender_name=str(config.get("SMS_SENDER_NAME") or DEFAULT_SENDER_NAME),
        contact=str(config.get("CLINIC_CONTACT") or ""),
        help_reply=setting_on(config.get("SMS_HELP_REPLY", True), "SMS_HELP_REPLY"),
        claim_ttl=timedelta(seconds=_positive(config, "DELIVERY_CLAIM_TTL_SECONDS", 120)),
        batch_size=int(_positive(config, "DELIVERY_BATCH_SIZE", 50)),
        uncertain_grace=timedelta(minutes=_positive(config, "DELIVERY_UNCERTAIN_GRACE_MINUTES", 15)),
        webhook_rate_limit=int(_positive(config, "SMS_WEBHOOK_RATE_LIMIT", 300)),
        public_base_url=str(config.get("PUBLIC_BASE_URL") or "").rstrip("/"),
        twilio_auth_token=str(config.get("TWILIO_AUTH_TOKEN") or ""),
    )


def _policy_mapping(config: Mapping[str, Any]) -> dict[str, Any]:
    raw = config.get("DELIVERY_POLICY")
    if raw is None and config.get("DELIVERY_POLICY_JSON"):
        try:
            raw = json.loads(config["DELIVERY_POLICY_JSON"])
        except json.JSONDecodeError as exc:
            raise ValueError(f"DELIVERY_POLICY_JSON is not valid JSON: {exc}") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError("DELIVERY_POLICY must be a mapping of setting names to values")
    return dict(raw)


def _positive(config: Mapping[str, Any], key: str, default: float) -> float:
    try:
        value = float(config.get(key, default))
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number, not {config.get(key)!r}") from None
    if value <= 0:
        raise ValueError(f"{key} must be positive")
    return value


def delivery() -> Delivery:
    """The current app's delivery settings and sender."""
    return current_app.extensions[_EXTENSION]


def settings() -> DeliverySettings:
    return delivery().settings


def block_reason_for(patient: Patient, channel: str = "sms") -> str | None:
    """Why this patient gets nothing on `channel` from this deployment (see `rules.patient_block_reason`)."""
    found = delivery()
    if not (found.email_enabled if channel == "email" else found.sms_enabled):
        return "e-mail is not set up" if channel == "email" else "SMS is not set up"
    return patient_block_reason(patient, channel)


def channel_for(patient: Patient) -> str | None:
    """The channel a new message to this patient goes by now (SMS or e-mail), None: none."""
    reasons = {channel: block_reason_for(patient, channel) for channel in MESSAGE_CHANNELS}
    return first_open_channel(patient.preferred_channel, reasons)


def twilio_configured() -> bool:
    return isinstance(delivery().sender, TwilioSender)
