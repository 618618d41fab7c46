package messages

// Delayed account recovery: starting it by a code to a verified phone or a
// recovery code, the notices every channel gets, cancelling and finishing.
const (
	RecoveryUnavailable  Key = "recovery.unavailable"
	RecoveryCodeInvalid  Key = "recovery.code_invalid"
	RecoveryOpen         Key = "recovery.open"
	RecoveryLinkInvalid  Key = "recovery.link_invalid"
	RecoveryNotReady     Key = "recovery.not_ready"
	RecoveryWasCancelled Key = "recovery.was_cancelled"
	RecoveryEmailTaken   Key = "recovery.email_taken"
	RecoveryCancelled    Key = "recovery.cancelled"
	RecoveryNothingOpen  Key = "recovery.nothing_open"
	RecoveryCodeSent     Key = "recovery.code_sent"

	RecoveryTitle          Key = "ui.recovery.title"
	RecoveryIntro          Key = "ui.recovery.intro"
	RecoveryByPhone        Key = "ui.recovery.by_phone"
	RecoveryRequest        Key = "ui.recovery.request"
	RecoveryVerify         Key = "ui.recovery.verify"
	RecoveryByCode         Key = "ui.recovery.by_code"
	RecoveryByCodeIntro    Key = "ui.recovery.by_code_intro"
	LabelLostEmail         Key = "ui.label.lost_email"
	RecoveryStart          Key = "ui.recovery.start"
	RecoveryStartedTitle   Key = "ui.recovery.started_title"
	RecoveryStartedIntro   Key = "ui.recovery.started_intro"
	RecoveryFinishLinkHint Key = "ui.recovery.finish_link_hint"
	RecoveryCancelTitle    Key = "ui.recovery.cancel_title"
	RecoveryCancelIntro    Key = "ui.recovery.cancel_intro"
	RecoveryCancelSubmit   Key = "ui.recovery.cancel_submit"
	RecoveryFinishTitle    Key = "ui.recovery.finish_title"
	RecoveryFinishIntro    Key = "ui.recovery.finish_intro"
	RecoveryConfirmIntro   Key = "ui.recovery.confirm_intro"
	RecoveryConfirm        Key = "ui.recovery.confirm"
	RecoveryElsewhere      Key = "ui.recovery.elsewhere"
	RecoveryWaitingIntro   Key = "ui.recovery.waiting_intro"
	RecoveryFinishSubmit   Key = "ui.recovery.finish_submit"
	RecoveryPendingTitle   Key = "ui.recovery.pending_title"
	RecoveryPendingIntro   Key = "ui.recovery.pending_intro"
	LoginLostEmail         Key = "ui.login.lost_email"

	EmailRecoveryStartedSubject   Key = "email.recovery_started.subject"
	EmailRecoveryStartedBody      Key = "email.recovery_started.body"
	EmailRecoveryStartedIgnore    Key = "email.recovery_started.ignore"
	EmailRecoveryCancel           Key = "email.recovery_started.cancel"
	EmailRecoveryCompletedSubject Key = "email.recovery_completed.subject"
	EmailRecoveryCompletedBody    Key = "email.recovery_completed.body"

	SMSRecoverCode        Key = "sms.recover_code"
	SMSRecoveryStarted    Key = "sms.recovery_started"
	SMSRecoveryFinishLink Key = "sms.recovery_finish_link"
	SMSRecoveryCompleted  Key = "sms.recovery_completed"
)

var recoveryCatalog = map[Key]string{
	RecoveryUnavailable:  "Account recovery is not available here. Contact support.",
	RecoveryCodeInvalid:  "That email address and recovery code do not match an account. Check them and try again.",
	RecoveryOpen:         "A recovery of this account is already under way. Use the link we sent when it started, or wait for it to end.",
	RecoveryLinkInvalid:  "This recovery link does not work: it may be incomplete, used or expired.",
	RecoveryNotReady:     "This recovery is still waiting. You can finish it after {ready}.",
	RecoveryWasCancelled: "This recovery was cancelled from one of the account's email addresses or phones. If that was not you, start again.",
	RecoveryEmailTaken:   "That email address belongs to another account. Use a different one.",
	RecoveryCancelled:    "The recovery is cancelled. Nothing about your account changed.",
	RecoveryNothingOpen:  "There is no recovery to cancel: it already ended.",
	RecoveryCodeSent:     "If that number can recover an account, a code is on its way. It works for 10 minutes.",

	RecoveryTitle:          "Recover your account",
	RecoveryIntro:          "Lost access to your email address? Prove you hold another way into your account. Recovery then waits {wait}, and every email address and phone on the account is told, with a link to cancel. After that you set a new email address and password.",
	RecoveryByPhone:        "With a code sent to your phone",
	RecoveryRequest:        "Text me a code",
	RecoveryVerify:         "Start recovery",
	RecoveryByCode:         "With a recovery code",
	RecoveryByCodeIntro:    "Enter the email address you lost and one of the recovery codes you saved when you turned on two-step verification.",
	LabelLostEmail:         "The email address you lost",
	RecoveryStart:          "Start recovery",
	RecoveryStartedTitle:   "Recovery started",
	RecoveryStartedIntro:   "Every email address and phone on the account has been told, with a link to cancel. If nobody cancels, you can finish after {ready}.",
	RecoveryFinishLinkHint: "Keep this link: it is the only way to finish. We also texted it to your phone when you started that way.",
	RecoveryCancelTitle:    "Cancel account recovery",
	RecoveryCancelIntro:    "Someone started recovering your account. If it was not you, cancel it: nothing about your account changes, and they have to start again.",
	RecoveryCancelSubmit:   "Cancel the recovery",
	RecoveryFinishTitle:    "Finish recovering your account",
	RecoveryFinishIntro:    "Choose a new email address and password. Every device signed in to the account will be signed out.",
	RecoveryConfirmIntro:   "You opened the link that finishes recovering an account. Continue to finish it on this browser.",
	RecoveryConfirm:        "Continue",
	RecoveryElsewhere:      "This recovery was started in another browser or device. Continue only if you started it yourself: a link someone else sent you would finish recovering their account, and sign you in to it.",
	RecoveryWaitingIntro:   "This recovery is waiting. You can finish it after {ready}.",
	RecoveryFinishSubmit:   "Set email and password",
	RecoveryPendingTitle:   "Account recovery in progress",
	RecoveryPendingIntro:   "Someone started recovering this account on {started}. It can finish after {ready}. If it was not you, cancel it now.",
	LoginLostEmail:         "Lost access to your email?",

	EmailRecoveryStartedSubject:   "Someone started recovering your {app} account",
	EmailRecoveryStartedBody:      "Someone proved they hold a way into your {app} account and started recovering it, to set a new email address and password. It can finish after {ready}.",
	EmailRecoveryStartedIgnore:    "If it was you, there is nothing to do. If it was not, cancel it now: nothing about your account changes.",
	EmailRecoveryCancel:           "Cancel the recovery",
	EmailRecoveryCompletedSubject: "Your {app} account was recovered",
	EmailRecoveryCompletedBody:    "Your {app} account now has a new email address and password, set through account recovery, and every device was signed out. If this was not you, contact support now.",

	SMSRecoverCode:        "{code} is your {app} code to recover your account. It expires in {minutes} minutes. Never share it.",
	SMSRecoveryStarted:    "{app}: someone started recovering your account. Not you? Cancel it: {link}",
	SMSRecoveryFinishLink: "{app}: finish recovering your account after {ready}: {link}",
	SMSRecoveryCompleted:  "{app}: your account was recovered with a new email address and password. Not you? Contact support now.",
}
