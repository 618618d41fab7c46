package messages

// API clients on the devices page: apps and scripts signed in through the
// token API (refresh-token families), listed beside the browser sessions.
const (
	APIClientSignedOut       Key = "devices.api_client_signed_out"
	APIClientNotFound        Key = "devices.api_client_not_found"
	APIClientsTitle          Key = "ui.devices.api_clients_title"
	APIClientsIntro          Key = "ui.devices.api_clients_intro"
	APIClientUserAgent       Key = "ui.devices.api_client_user_agent"
	APIClientLastRefresh     Key = "ui.devices.api_client_last_refresh"
	APIClientNeverRefreshed  Key = "ui.devices.api_client_never_refreshed"
	DevicesSignOutAPIClients Key = "ui.devices.sign_out_api_clients"
	DevicesAPIClientsHint    Key = "ui.devices.sign_out_api_clients_hint"
	ActivitySignedOutClient  Key = "activity.revoke_api_client"
)

var apiClientCatalog = map[Key]string{
	APIClientSignedOut:       "That app is signed out. Its access ends now; it will need to log in again.",
	APIClientNotFound:        "That app is already signed out.",
	APIClientsTitle:          "Apps and API clients",
	APIClientsIntro:          "Apps, scripts and other programs that logged in to your account with your password or a code.",
	APIClientUserAgent:       "Identifies itself as",
	APIClientLastRefresh:     "Last renewed its access",
	APIClientNeverRefreshed:  "Not yet",
	DevicesSignOutAPIClients: "Also sign out apps and API clients",
	DevicesAPIClientsHint:    "They will need to log in again.",
	ActivitySignedOutClient:  "Signed out an app",
}
