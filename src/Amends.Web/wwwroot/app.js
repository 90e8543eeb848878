// Reserved for keyboard shortcuts.
