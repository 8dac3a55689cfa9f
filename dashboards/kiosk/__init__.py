"""The clinic tablet in kiosk mode ([docs/kiosk.md](../../docs/kiosk.md))."""
