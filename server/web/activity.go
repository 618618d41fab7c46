package web

import (
	"github.com/latch-dev/latch/client/messages"
	"github.com/latch-dev/latch/server/auth"
)

// factorActivityKey words the events of passwords, second factors,
// recovery and sign-in providers for the security activity page, so that no event a holder can
// see reads "another security event".
func factorActivityKey(e auth.SecurityEvent) messages.Key {
	ok := e.Outcome == auth.Success
	switch e.Name {
	case "password.change":
		if ok {
			return messages.ActivityPasswordChanged
		}
		return messages.ActivityPasswordChangeFailed
	case "password.reset":
		if !ok {
			return messages.ActivityPasswordResetFailed
		}
		if e.Detail["committed"] == "after_second_factor" {
			return messages.ActivityPasswordResetPending
		}
		return messages.ActivityPasswordReset
	case "totp.enable":
		if ok {
			return messages.ActivityTOTPEnabled
		}
		return messages.ActivityTOTPRefused
	case "totp.disable":
		return messages.ActivityTOTPDisabled
	case "totp.verify":
		if ok {
			return messages.ActivityTOTPUsed
		}
		return messages.ActivityTOTPRefused
	case "recovery_code.use":
		return messages.ActivityRecoveryCodeUsed
	case "recovery_codes.regenerate":
		return messages.ActivityRecoveryCodesNew
	case "recovery.start":
		if ok {
			return messages.ActivityRecoveryStarted
		}
		return messages.ActivityRecoveryRefused
	case "recovery.cancel":
		return messages.ActivityRecoveryCancelled
	case "recovery.complete":
		return messages.ActivityRecoveryCompleted
	case "account.purge":
		return messages.ActivityDeleted
	case "provider.sign_in":
		if ok {
			return messages.ActivityProviderSignIn
		}
		return messages.ActivityProviderSignInRefused
	case "provider.link":
		if ok {
			return messages.ActivityProviderLink
		}
		return messages.ActivityProviderLinkRefused
	case "provider.unlink":
		if ok {
			return messages.ActivityProviderUnlink
		}
		return messages.ActivityProviderUnlinkRefused
	case "passkey.add":
		if ok {
			return messages.ActivityPasskeyAdded
		}
		return messages.ActivityPasskeyRefused
	case "passkey.use":
		if ok {
			return messages.ActivityPasskeyUsed
		}
		return messages.ActivityPasskeyRejected
	case "passkey.rename":
		if ok {
			return messages.ActivityPasskeyRenamed
		}
		return messages.ActivityPasskeyNotChanged
	case "passkey.remove":
		if ok {
			return messages.ActivityPasskeyRemoved
		}
		if e.Detail["reason"] == "last_way_in" {
			return messages.ActivityPasskeyKept
		}
		return messages.ActivityPasskeyNotChanged
	}
	return messages.ActivityOther
}

// adminActivityKey words, for the account's holder, what an administrator
// did to their account: the events recorded under auth.WithActor carry
// the actor. It reports false for an event the holder did themselves.
func adminActivityKey(e auth.SecurityEvent) (messages.Key, bool) {
	if e.Detail["actor"] == "" || e.Outcome != auth.Success {
		return "", false
	}
	switch e.Name {
	case "user.status":
		switch auth.Status(e.Detail["status"]) {
		case auth.StatusSuspended:
			return messages.ActivityAdminSuspended, true
		case auth.StatusActive:
			return messages.ActivityAdminUnsuspended, true
		}
		return messages.ActivityAdminDeleted, true
	case "account.delete":
		return messages.ActivityAdminDeleted, true
	case "session.revoke":
		if e.Detail["scope"] == auth.RevokeOne {
			return messages.ActivityAdminSignedOut, true
		}
		return messages.ActivityAdminSignedOutAll, true
	case "code.send":
		return messages.ActivityAdminVerification, true
	case "totp.disable", "admin.factor_remove":
		return messages.ActivityAdminFactorRemoved, true
	case "admin.password_reset_required":
		return messages.ActivityAdminPasswordReset, true
	case "role.grant":
		return messages.ActivityAdminRoleGranted, true
	case "role.revoke":
		return messages.ActivityAdminRoleRevoked, true
	}
	return messages.ActivityAdminOther, true
}
