"""The activation link's token (used by the account views and by the mail task)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Like the reset token, but bound to is_active, so a link works only once."""

    key_salt = "rathaus.applications.activation"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.is_active}{user.password}{timestamp}"


activation_tokens = ActivationTokenGenerator()
