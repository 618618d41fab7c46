package messages

// frenchFace is the page frame's and the account overview's text in
// French (faceCatalog, accountOverviewCatalog, activityFaceCatalog).
var frenchFace = map[Key]string{
	NavLabel:         "Principal",
	FooterLabel:      "Aide et mentions légales",
	FooterSupport:    "Aide",
	FooterTerms:      "Conditions",
	FooterPrivacy:    "Confidentialité",
	NavBackToAccount: "Compte",
	LoginOtherWays:   "Autres façons de se connecter",
	DevBannerLabel:   "Développement",

	AccountProfileTitle:    "Profil",
	AccountSignInTitle:     "Comment vous vous connectez",
	AccountSecurityTitle:   "Sécurité",
	AccountDataTitle:       "Vos données",
	AccountPasswordName:    "Mot de passe",
	AccountPasswordHint:    "Vous connecte avec votre adresse e-mail ou votre numéro de téléphone.",
	AccountProvidersHint:   "Les comptes d'autres services avec lesquels vous pouvez vous connecter.",
	AccountProvidersManage: "Gérer les fournisseurs de connexion",
	AccountActivityName:    "Activité de sécurité",
	AccountActivityHint:    "Connexions, modifications et tentatives échouées, les plus récentes d'abord.",
	AccountDevicesName:     "Appareils",
	AccountDevicesHint:     "Les navigateurs et applications connectés à votre compte.",
	AccountExportName:      "Télécharger vos données",
	AccountExportHint:      "Une copie de ce que contient ce compte, dans un fichier.",
	AccountDeleteName:      "Supprimer le compte",
	AccountDeleteHint:      "Ferme votre compte ; vous reconnecter pendant le délai de grâce le rétablit.",

	ActivityFailedTag: "N'a pas abouti",

	PasswordShow:      "Afficher",
	PasswordHide:      "Masquer",
	PasswordShowLabel: "Afficher le mot de passe",
	PasswordHideLabel: "Masquer le mot de passe",
	CopyButton:        "Copier",
	CopyDone:          "Copié.",
	CopyFailed:        "Copie impossible : sélectionnez le texte et copiez-le vous-même.",
	CopyKeyLabel:      "Copier la clé",
	CopyCodesLabel:    "Copier les codes",
	DownloadCodes:     "Télécharger en fichier texte",
	PrintCodes:        "Imprimer",
}
