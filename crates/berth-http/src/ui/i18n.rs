//! The UI's two languages, English and French (the seeds are French), chosen by the
//! account's locale; dates and numbers formatted for it. Every text of the panel is a key
//! of [`CATALOG`]; a key missing from it shows as itself, which the catalog test forbids.

use chrono::{DateTime, NaiveDate, Utc};

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// The language of a locale (`fr-FR` → French; anything else → English).
    pub fn of_locale(locale: &str) -> Lang {
        if locale.trim().to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// The language a browser asks for first in `Accept-Language`.
    pub fn of_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .next()
            .map(Lang::of_locale)
            .unwrap_or_default()
    }

    /// The HTML `lang` code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

/// Every UI text: key, English, French.
pub const CATALOG: &[(&str, &str, &str)] = &[
    ("app", "Berth", "Berth"),
    ("skip", "Skip to content", "Aller au contenu"),
    ("login.title", "Log in", "Connexion"),
    ("login.login", "Login", "Identifiant"),
    ("login.password", "Password", "Mot de passe"),
    ("login.submit", "Log in", "Se connecter"),
    (
        "login.failed",
        "Wrong login or password.",
        "Identifiant ou mot de passe incorrect.",
    ),
    (
        "login.suspended",
        "This account is suspended.",
        "Ce compte est suspendu.",
    ),
    (
        "login.wait",
        "Too many failed attempts: try again in",
        "Trop de tentatives échouées : réessayez dans",
    ),
    ("login.seconds", "seconds", "secondes"),
    ("logout", "Log out", "Se déconnecter"),
    (
        "csrf.failed",
        "The form expired or came from elsewhere: reload the page and try again.",
        "Le formulaire a expiré ou provient d'ailleurs : rechargez la page et réessayez.",
    ),
    ("nav.home", "Home", "Accueil"),
    ("nav.resellers", "Resellers", "Revendeurs"),
    ("nav.customers", "Customers", "Clients"),
    ("nav.subscriptions", "Subscriptions", "Abonnements"),
    ("nav.plans", "Service plans", "Plans de services"),
    ("nav.tools", "Tools & settings", "Outils et paramètres"),
    (
        "nav.overview",
        "Resources and permissions overview",
        "Aperçu des ressources et permissions",
    ),
    ("nav.main", "Main navigation", "Navigation principale"),
    ("role.admin", "Administrator", "Administrateur"),
    ("role.reseller", "Reseller", "Revendeur"),
    ("role.customer", "Customer", "Client"),
    ("home.welcome", "Welcome", "Bienvenue"),
    ("home.signed_in_as", "Signed in as", "Connecté en tant que"),
    ("col.login", "Login", "Identifiant"),
    ("col.name", "Contact name", "Nom du contact"),
    ("col.company", "Company", "Société"),
    ("col.email", "Email", "E-mail"),
    ("col.status", "Status", "Statut"),
    ("col.created", "Created", "Créé le"),
    ("col.domain", "Domain", "Domaine"),
    ("col.subscriber", "Subscriber", "Abonné"),
    ("col.plan", "Service plan", "Plan de services"),
    ("col.sync", "Sync state", "Synchronisation"),
    ("col.expiration", "Expiration date", "Date d'expiration"),
    ("col.property", "Property", "Propriété"),
    ("col.value", "Value", "Valeur"),
    ("col.plan_value", "Plan value", "Valeur du plan"),
    (
        "col.available_value",
        "Available value",
        "Valeur disponible",
    ),
    ("col.locale", "Language", "Langue"),
    ("col.select", "Select", "Sélectionner"),
    ("col.type", "Type", "Type"),
    ("col.subscriptions", "Subscriptions", "Abonnements"),
    ("status.active", "Active", "Actif"),
    ("status.suspended", "Suspended", "Suspendu"),
    ("status.any", "Any status", "Tous les statuts"),
    ("sync.synced", "Synced", "Synchronisé"),
    ("sync.locked", "Locked", "Verrouillé"),
    ("sync.unsynced", "Unsynced", "Non synchronisé"),
    ("sync.any", "Any sync state", "Tout état de synchronisation"),
    ("custom", "Custom", "Personnalisé"),
    ("unlimited", "Unlimited", "Illimité"),
    ("search", "Search", "Rechercher"),
    ("filter", "Filter", "Filtrer"),
    ("next_page", "Next page", "Page suivante"),
    ("first_page", "First page", "Première page"),
    ("no_items", "Nothing to show.", "Rien à afficher."),
    ("bulk.label", "With the selected", "Pour la sélection"),
    ("bulk.action", "Action", "Action"),
    ("bulk.preview", "Preview", "Aperçu"),
    ("bulk.apply", "Apply", "Appliquer"),
    ("bulk.select_all", "Select all", "Tout sélectionner"),
    (
        "bulk.none",
        "Select at least one item.",
        "Sélectionnez au moins un élément.",
    ),
    (
        "bulk.preview_title",
        "Preview: nothing was changed yet",
        "Aperçu : rien n'a encore été modifié",
    ),
    ("bulk.done_title", "Done", "Terminé"),
    ("bulk.confirm", "Confirm", "Confirmer"),
    ("bulk.cancel", "Cancel", "Annuler"),
    ("bulk.ok", "OK", "OK"),
    ("bulk.failed", "Failed", "Échec"),
    ("bulk.back", "Back to the list", "Retour à la liste"),
    (
        "bulk.remove_warning",
        "Removal cannot be undone.",
        "La suppression est définitive.",
    ),
    ("action.suspend", "Suspend", "Suspendre"),
    ("action.activate", "Activate", "Activer"),
    ("action.remove", "Remove", "Supprimer"),
    ("action.change_plan", "Change plan", "Changer de plan"),
    (
        "action.unlock",
        "Unlock & Sync",
        "Déverrouiller et synchroniser",
    ),
    (
        "action.change_subscriber",
        "Change subscriber",
        "Changer d'abonné",
    ),
    (
        "action.to_reseller",
        "Convert to reseller",
        "Convertir en revendeur",
    ),
    (
        "action.move",
        "Move to reseller",
        "Déplacer vers un revendeur",
    ),
    (
        "action.target",
        "Target (plan, login)",
        "Cible (plan, identifiant)",
    ),
    ("customer.new", "Add a customer", "Ajouter un client"),
    (
        "customer.first_sub",
        "First subscription",
        "Premier abonnement",
    ),
    ("customer.contact", "Contact", "Contact"),
    (
        "customer.domain_hint",
        "Leave empty to create the customer without a subscription.",
        "Laissez vide pour créer le client sans abonnement.",
    ),
    ("customer.created", "Customer created", "Client créé"),
    ("reseller.new", "Add a reseller", "Ajouter un revendeur"),
    ("form.create", "Create", "Créer"),
    ("form.required", "required", "obligatoire"),
    ("form.error", "Please fix this:", "Veuillez corriger ceci :"),
    (
        "plan.none",
        "None (custom subscription)",
        "Aucun (abonnement personnalisé)",
    ),
    ("sub.title", "Subscription", "Abonnement"),
    ("sub.customize", "Customize", "Personnaliser"),
    (
        "sub.customize_help",
        "Values you change here are locked against plan changes (Update & Lock). Leave a field as it is to keep it.",
        "Les valeurs modifiées ici sont verrouillées contre les changements du plan (Mettre à jour et verrouiller). Laissez un champ tel quel pour le conserver.",
    ),
    (
        "sub.update_lock",
        "Update & Lock",
        "Mettre à jour et verrouiller",
    ),
    (
        "sub.unlock_sync",
        "Unlock & Sync",
        "Déverrouiller et synchroniser",
    ),
    ("sub.sync", "Sync", "Synchroniser"),
    (
        "sub.accept",
        "Accept the available values",
        "Accepter les valeurs disponibles",
    ),
    (
        "sub.conflicts",
        "Sync conflict report",
        "Rapport des conflits de synchronisation",
    ),
    (
        "sub.conflicts_help",
        "The plan asks for more than the provider can give: the subscription keeps the available values until the conflict is resolved.",
        "Le plan demande plus que le fournisseur ne peut donner : l'abonnement garde les valeurs disponibles jusqu'à la résolution du conflit.",
    ),
    (
        "sub.customized",
        "Customized fields",
        "Champs personnalisés",
    ),
    ("sub.properties", "Properties", "Propriétés"),
    ("sub.changes", "Changes", "Modifications"),
    ("sub.no_changes", "No change.", "Aucune modification."),
    ("sub.preview", "Preview", "Aperçu"),
    ("sub.saved", "Saved.", "Enregistré."),
    (
        "sub.system_password",
        "System password (shown once)",
        "Mot de passe système (affiché une seule fois)",
    ),
    ("group.limits", "Resources", "Ressources"),
    ("group.permissions", "Permissions", "Permissions"),
    (
        "group.hosting",
        "Hosting parameters",
        "Paramètres d'hébergement",
    ),
    ("group.php", "PHP settings", "Paramètres PHP"),
    ("group.mail", "Mail", "Messagerie"),
    ("group.dns", "DNS", "DNS"),
    ("group.performance", "Performance", "Performances"),
    (
        "group.logs",
        "Logs & statistics",
        "Journaux et statistiques",
    ),
    ("group.applications", "Applications", "Applications"),
    ("yes", "Yes", "Oui"),
    ("no", "No", "Non"),
    (
        "tools.preferences",
        "Interface preferences",
        "Préférences de l'interface",
    ),
    (
        "tools.multiple_sessions",
        "Allow several sessions per login",
        "Autoriser plusieurs sessions par identifiant",
    ),
    (
        "tools.button_label_length",
        "Maximum button label length",
        "Longueur maximale des libellés de boutons",
    ),
    ("tools.save", "Save", "Enregistrer"),
    ("tools.audit", "Audit log", "Journal d'audit"),
    ("tools.ips", "IP addresses", "Adresses IP"),
    (
        "error.title",
        "Something went wrong",
        "Une erreur est survenue",
    ),
    ("error.not_found", "Not found", "Introuvable"),
    ("error.forbidden", "Not allowed", "Non autorisé"),
    ("nav.domains", "Websites & domains", "Sites web et domaines"),
    ("domains.parent", "Domain", "Domaine"),
    ("domains.root", "Document root", "Racine des documents"),
    ("domains.kind.main", "Main domain", "Domaine principal"),
    (
        "domains.kind.site",
        "Additional domain",
        "Domaine supplémentaire",
    ),
    ("domains.kind.alias", "Alias", "Alias"),
    ("domains.kind.subdomain", "Subdomain", "Sous-domaine"),
    ("domains.add.site", "Add a domain", "Ajouter un domaine"),
    ("domains.add.alias", "Add an alias", "Ajouter un alias"),
    (
        "domains.add.subdomain",
        "Add a subdomain",
        "Ajouter un sous-domaine",
    ),
    ("col.address", "Address", "Adresse"),
    ("col.interface", "Interface", "Interface"),
    ("col.at", "When", "Quand"),
    ("col.actor", "Who", "Qui"),
    ("col.action", "Operation", "Opération"),
    ("col.object", "Objects", "Objets"),
    ("col.source", "From", "Depuis"),
    ("audit.object", "Object", "Objet"),
    ("audit.since", "From date", "Depuis le"),
    ("audit.until", "Until date", "Jusqu'au"),
    ("audit.field", "Field", "Champ"),
    ("audit.before", "Before", "Avant"),
    ("audit.after", "After", "Après"),
    ("audit.next", "Next page", "Page suivante"),
    ("profile.title", "My profile", "Mon profil"),
    (
        "profile.password",
        "Change the password",
        "Changer le mot de passe",
    ),
    (
        "profile.password_help",
        "Leave both fields empty to keep the current password.",
        "Laissez les deux champs vides pour garder le mot de passe actuel.",
    ),
    (
        "profile.new_password",
        "New password",
        "Nouveau mot de passe",
    ),
    (
        "profile.password_again",
        "New password again",
        "Nouveau mot de passe (confirmation)",
    ),
    (
        "profile.mismatch",
        "the two passwords differ",
        "les deux mots de passe diffèrent",
    ),
    ("plans.new", "Add a plan", "Ajouter un plan"),
    ("plans.new_addon", "Add an add-on", "Ajouter une extension"),
    (
        "plans.update_sync",
        "Update & Sync",
        "Mettre à jour et synchroniser",
    ),
    ("overview.allocated", "Allocated", "Alloué"),
    ("overview.remaining", "Remaining", "Restant"),
    ("buttons.title", "Custom buttons", "Boutons personnalisés"),
    (
        "buttons.new",
        "Add a custom button",
        "Ajouter un bouton personnalisé",
    ),
    ("buttons.text", "Button label", "Libellé du bouton"),
    ("buttons.location", "Location", "Emplacement"),
    ("buttons.priority", "Priority", "Priorité"),
    ("buttons.creator", "Created by", "Créé par"),
    (
        "buttons.context",
        "Context passed in the URL",
        "Contexte transmis dans l'URL",
    ),
    ("buttons.tooltip", "Tooltip", "Info-bulle"),
    (
        "buttons.new_tab",
        "Open in a new tab",
        "Ouvrir dans un nouvel onglet",
    ),
    (
        "buttons.only_creator",
        "Visible only to me",
        "Visible uniquement par moi",
    ),
    (
        "buttons.at.home",
        "Admin and reseller home",
        "Accueil administrateur et revendeur",
    ),
    (
        "buttons.at.customer_home",
        "Customer home",
        "Accueil client",
    ),
    ("buttons.at.websites", "Websites page", "Page des sites web"),
    ("buttons.at.all", "Every page", "Toutes les pages"),
    (
        "buttons.ctx.subscription_id",
        "Subscription id",
        "Identifiant de l'abonnement",
    ),
    (
        "buttons.ctx.domain",
        "Primary domain name",
        "Nom de domaine principal",
    ),
    (
        "buttons.ctx.customer_id",
        "Customer id",
        "Identifiant du client",
    ),
    ("buttons.ctx.name", "Contact name", "Nom du contact"),
    ("buttons.ctx.email", "Email", "E-mail"),
    ("buttons.ctx.company", "Company", "Société"),
    ("branding.title", "Branding", "Image de marque"),
    (
        "branding.browser_title",
        "Browser title text",
        "Titre dans le navigateur",
    ),
    ("branding.logo_url", "Logo link URL", "URL du lien du logo"),
    (
        "branding.logo",
        "Logo (GIF, JPEG or PNG, at most 100 KB)",
        "Logo (GIF, JPEG ou PNG, 100 Ko au plus)",
    ),
    (
        "branding.reset",
        "Reset to default",
        "Revenir aux valeurs par défaut",
    ),
    ("domains.zone", "DNS zone", "Zone DNS"),
    ("dns.priority", "Priority", "Priorité"),
    ("dns.ttl", "TTL (seconds)", "TTL (secondes)"),
    ("sub.new", "Add a subscription", "Ajouter un abonnement"),
    (
        "dns.add",
        "Add a DNS record",
        "Ajouter un enregistrement DNS",
    ),
    (
        "dns.host",
        "Host (empty for the domain itself)",
        "Hôte (vide pour le domaine lui-même)",
    ),
    ("sub.addons", "Add-ons", "Extensions"),
    ("sub.add_addon", "Add the add-on", "Ajouter l'extension"),
    (
        "login.no_subscription",
        "This customer has no subscription yet and cannot log in to the panel.",
        "Ce client n'a pas encore d'abonnement et ne peut pas se connecter au panneau.",
    ),
    ("account.edit", "Edit the account", "Modifier le compte"),
    ("sub.renew", "Renew", "Renouveler"),
    (
        "recovery.link",
        "Forgot your password?",
        "Mot de passe oublié ?",
    ),
    (
        "recovery.title",
        "Forgot your password?",
        "Mot de passe oublié ?",
    ),
    (
        "recovery.help",
        "Give your login and the email address on record: a link to choose a new password will be sent to that address.",
        "Indiquez votre identifiant et l'adresse e-mail enregistrée : un lien pour choisir un nouveau mot de passe sera envoyé à cette adresse.",
    ),
    ("recovery.send", "Send the link", "Envoyer le lien"),
    (
        "recovery.sent",
        "If the login and the email address match an account, a link to choose a new password has been sent to that address. It works once, for a limited time.",
        "Si l'identifiant et l'adresse e-mail correspondent à un compte, un lien pour choisir un nouveau mot de passe a été envoyé à cette adresse. Il ne sert qu'une fois, pendant une durée limitée.",
    ),
    (
        "recovery.too_many",
        "Too many requests: try again later.",
        "Trop de demandes : réessayez plus tard.",
    ),
    (
        "recovery.both_needed",
        "Give both the login and the email address.",
        "Indiquez l'identifiant et l'adresse e-mail.",
    ),
    (
        "recovery.unavailable",
        "Password recovery is not available on this server: ask your administrator.",
        "La récupération du mot de passe n'est pas disponible sur ce serveur : contactez votre administrateur.",
    ),
    (
        "recovery.reset_title",
        "Choose a new password",
        "Choisir un nouveau mot de passe",
    ),
    (
        "recovery.choose_for",
        "New password for the account",
        "Nouveau mot de passe du compte",
    ),
    (
        "recovery.password_help",
        "At least 8 characters, not the login. Your other sessions will be closed.",
        "Au moins 8 caractères, différent de l'identifiant. Vos autres sessions seront fermées.",
    ),
    (
        "recovery.set",
        "Set the password",
        "Enregistrer le mot de passe",
    ),
    (
        "recovery.dead_link",
        "This link is unknown, already used or expired.",
        "Ce lien est inconnu, déjà utilisé ou expiré.",
    ),
    (
        "recovery.ask_again",
        "Ask for a new link",
        "Demander un nouveau lien",
    ),
    (
        "recovery.back",
        "Back to the login page",
        "Retour à la connexion",
    ),
    (
        "recovery.done",
        "Your password was changed: log in with it.",
        "Votre mot de passe a été modifié : connectez-vous avec.",
    ),
    ("keys.title", "API keys", "Clés d'API"),
    ("keys.list", "Your API keys", "Vos clés d'API"),
    ("keys.new", "New API key", "Nouvelle clé d'API"),
    ("keys.key", "Key", "Clé"),
    ("keys.created", "API key created", "Clé d'API créée"),
    (
        "keys.shown_once",
        "Copy this key now: it is shown only once. Send it as Authorization: Bearer.",
        "Copiez cette clé maintenant : elle n'est affichée qu'une fois. Envoyez-la dans Authorization: Bearer.",
    ),
    (
        "keys.ips",
        "Allowed source addresses",
        "Adresses sources autorisées",
    ),
    (
        "keys.ips_help",
        "IP addresses separated by commas; empty for any address.",
        "Adresses IP séparées par des virgules ; vide pour toute adresse.",
    ),
    ("keys.any_ip", "Any address", "Toute adresse"),
    ("keys.revoked", "Revoked", "Révoquée"),
    ("keys.revoke", "Revoke", "Révoquer"),
    ("job.title", "Provisioning", "Provisionnement"),
    ("job.pending", "Pending", "En attente"),
    ("job.running", "Running", "En cours"),
    ("job.done", "Applied", "Appliqué"),
    ("job.failed", "Failed", "Échec"),
    ("job.attempts", "attempts:", "tentatives :"),
    (
        "job.none",
        "Nothing applied yet",
        "Rien d'appliqué pour l'instant",
    ),
    (
        "ips.new",
        "Register an IP address",
        "Enregistrer une adresse IP",
    ),
    ("ips.shared", "Shared", "Partagée"),
    ("ips.dedicated", "Dedicated", "Dédiée"),
    (
        "ips.pool",
        "Reseller IP pool",
        "Pool d'adresses IP du revendeur",
    ),
    ("ips.pool_add", "Add to the pool", "Ajouter au pool"),
    ("ips.pool_remove", "Remove from the pool", "Retirer du pool"),
    ("ips.pool_added", "Added to the pool:", "Ajoutée au pool :"),
    (
        "ips.pool_removed",
        "Removed from the pool:",
        "Retirée du pool :",
    ),
    ("dnst.title", "DNS template", "Modèle DNS"),
    ("dnst.text", "Template records", "Enregistrements du modèle"),
    (
        "dnst.help",
        "One record per line: HOST [TTL] TYPE [PRIORITY] VALUE, with placeholders such as <domain> and <ip>; lines starting with ; or # are comments.",
        "Un enregistrement par ligne : HÔTE [TTL] TYPE [PRIORITÉ] VALEUR, avec des variables comme <domain> et <ip> ; les lignes commençant par ; ou # sont des commentaires.",
    ),
    (
        "dnst.saved",
        "Template saved. Zones change when it is applied.",
        "Modèle enregistré. Les zones changent lorsqu'il est appliqué.",
    ),
    (
        "dnst.apply_help",
        "Applying adds and updates the template's records in every zone; records edited by hand are kept.",
        "L'application ajoute et met à jour les enregistrements du modèle dans chaque zone ; les enregistrements modifiés à la main sont conservés.",
    ),
    (
        "dnst.apply",
        "Apply to all zones",
        "Appliquer à toutes les zones",
    ),
    ("dnst.zones", "Zones", "Zones"),
    ("dnst.changed", "Zones changed", "Zones modifiées"),
    ("dnst.added", "Records added", "Enregistrements ajoutés"),
    (
        "dnst.updated",
        "Records updated",
        "Enregistrements mis à jour",
    ),
    (
        "dnst.kept",
        "Kept (edited by hand)",
        "Conservés (modifiés à la main)",
    ),
    ("dnst.skipped", "Skipped", "Ignorés"),
    (
        "hosting.title",
        "Hosting settings",
        "Paramètres d'hébergement",
    ),
    ("hosting.ips", "IP addresses", "Adresses IP"),
    (
        "hosting.ips_help",
        "Separated by commas; they replace the current ones.",
        "Séparées par des virgules ; elles remplacent les adresses actuelles.",
    ),
    ("hosting.system_user", "System user", "Utilisateur système"),
    (
        "hosting.system_password",
        "New system password",
        "Nouveau mot de passe système",
    ),
    (
        "hosting.password_help",
        "Leave empty to keep the current one.",
        "Laissez vide pour conserver l'actuel.",
    ),
    (
        "vht.title",
        "Virtual host template",
        "Modèle d'hôte virtuel",
    ),
    ("vht.source", "Source", "Origine"),
    ("vht.built_in", "Built-in skeleton", "Squelette par défaut"),
    ("vht.uploaded", "Uploaded archive", "Archive téléversée"),
    ("vht.files", "Files", "Fichiers"),
    ("vht.bytes", "Size (bytes)", "Taille (octets)"),
    ("vht.entries", "Contents", "Contenu"),
    ("vht.path", "Path", "Chemin"),
    ("vht.upload", "Upload an archive", "Téléverser une archive"),
    ("vht.archive", "Archive", "Archive"),
    (
        "vht.archive_help",
        "A .tgz, .tar or .zip archive; only new webspaces get its files.",
        "Une archive .tgz, .tar ou .zip ; seuls les nouveaux espaces web reçoivent ses fichiers.",
    ),
    ("vht.check", "Check only", "Vérifier seulement"),
    ("vht.install", "Install", "Installer"),
    (
        "vht.checked",
        "The archive is acceptable: nothing was written yet.",
        "L'archive est acceptable : rien n'a encore été écrit.",
    ),
    ("vht.installed", "Template installed.", "Modèle installé."),
    (
        "vht.reset_help",
        "Go back to the built-in skeleton.",
        "Revenir au squelette par défaut.",
    ),
    (
        "vht.reset",
        "Reset to default",
        "Rétablir le modèle par défaut",
    ),
    (
        "vht.was_reset",
        "Template reset to the built-in skeleton.",
        "Modèle rétabli au squelette par défaut.",
    ),
    ("tasks.title", "Scheduled tasks", "Tâches planifiées"),
    ("tasks.task", "Task", "Tâche"),
    ("tasks.schedule", "Schedule", "Planification"),
    ("tasks.last_run", "Last run", "Dernière exécution"),
    ("tasks.outcome", "Outcome", "Résultat"),
    ("tasks.next_run", "Next run", "Prochaine exécution"),
    ("tasks.notifications", "Notifications", "Notifications"),
    ("tasks.event", "Event", "Événement"),
    ("tasks.recipients", "Recipients", "Destinataires"),
    ("tasks.subject", "Subject", "Objet"),
    (
        "terms.title",
        "Limits and permissions of",
        "Limites et permissions de",
    ),
    ("terms.unchanged", "Nothing changed.", "Rien n'a changé."),
    (
        "terms.link",
        "Limits and permissions",
        "Limites et permissions",
    ),
];

/// The French names of the properties of the descriptor table
/// ([`berth_core::property::PROPERTIES`]), by property name (Plesk's French terms, as in
/// the French reseller guide); the English names are the descriptors' labels. PHP
/// directives keep their own names.
pub const PROPERTY_FR: &[(&str, &str)] = &[
    ("overuse", "Politique de dépassement"),
    ("disk_space", "Espace disque"),
    ("max_traffic", "Trafic mensuel"),
    ("disk_space_soft", "Avertir quand l'espace disque atteint"),
    ("max_traffic_soft", "Avertir quand le trafic atteint"),
    ("max_site", "Domaines"),
    ("max_subdom", "Sous-domaines"),
    ("max_dom_aliases", "Alias de domaine"),
    ("max_box", "Comptes de messagerie"),
    ("mbox_quota", "Taille de la boîte aux lettres"),
    ("total_mboxes_quota", "Taille totale des boîtes aux lettres"),
    ("max_maillists", "Listes de diffusion"),
    ("max_subftp_users", "Comptes FTP supplémentaires"),
    ("max_db", "Bases de données"),
    ("mysql_dbase_space", "Espace des bases de données"),
    ("max_webapps", "Applications Java"),
    ("max_wu", "Utilisateurs Web"),
    ("max_site_builder", "Sites publiés avec Site Builder"),
    ("expiration", "Période de validité"),
    ("max_cl", "Clients"),
    ("max_dom", "Abonnements"),
    ("create_domains", "Création de domaines"),
    ("manage_phosting", "Gestion des paramètres d'hébergement"),
    ("manage_php_settings", "Gestion des paramètres PHP communs"),
    (
        "manage_performance",
        "Gestion des paramètres de performances de l'hébergement",
    ),
    ("manage_php_safe_mode", "Gestion en mode PHP sans échec"),
    ("manage_sh_access", "Accès au serveur via SSH"),
    ("manage_not_chroot_shell", "Shell SSH non chrooté"),
    ("manage_quota", "Attribution du quota de disque dur"),
    ("manage_subdomains", "Gestion des sous-domaines"),
    ("manage_domain_aliases", "Gestion des alias de domaine"),
    ("manage_subftp", "Gestion des comptes FTP supplémentaires"),
    ("manage_dns", "Gestion de la zone DNS"),
    ("manage_log", "Gestion de la rotation des logs"),
    ("manage_anonftp", "Gestion du FTP anonyme"),
    ("manage_crontab", "Gestion du Planificateur"),
    ("manage_spamfilter", "Gestion du filtre antispam"),
    ("manage_virusfilter", "Gestion de l'antivirus"),
    ("allow_local_backups", "Sauvegardes sur le serveur"),
    ("allow_ftp_backups", "Sauvegardes sur un serveur FTP"),
    ("manage_webstat", "Gestion des statistiques Web"),
    ("manage_maillists", "Gestion des listes de diffusion"),
    ("manage_webapps", "Gestion des applications Java"),
    ("access_appcatalog", "Accès au catalogue d'applications"),
    (
        "allow_insecure_sites",
        "Options de scripts Web potentiellement non sécurisées",
    ),
    ("select_db_server", "Choix du serveur de bases de données"),
    ("create_clients", "Création de clients"),
    ("allow_oversell", "Survente"),
    ("remote_access_interface", "Accès à l'API"),
    ("cp_access", "Accès au panneau de contrôle"),
    ("hosting", "Hébergement Web"),
    ("hard_quota", "Quota de disque dur"),
    ("ssl", "Prise en charge SSL"),
    ("webstat", "Statistiques Web"),
    (
        "webstat_protected",
        "Statistiques dans un répertoire protégé par mot de passe",
    ),
    ("errdocs", "Documents d'erreur personnalisés"),
    ("shell", "Shell SSH"),
    ("php", "PHP"),
    ("php_handler", "Gestionnaire PHP"),
    ("cgi", "CGI"),
    ("perl", "Perl"),
    ("python", "Python"),
    ("fastcgi", "FastCGI"),
    ("ssi", "SSI"),
    (
        "wu_script",
        "Les utilisateurs Web peuvent exécuter des scripts",
    ),
    ("memory_limit", "memory_limit"),
    ("max_execution_time", "max_execution_time"),
    ("max_input_time", "max_input_time"),
    ("post_max_size", "post_max_size"),
    ("upload_max_filesize", "upload_max_filesize"),
    ("include_path", "include_path"),
    ("session.save_path", "session.save_path"),
    ("open_basedir", "open_basedir"),
    ("error_reporting", "error_reporting"),
    ("display_errors", "display_errors"),
    ("log_errors", "log_errors"),
    ("allow_url_fopen", "allow_url_fopen"),
    ("file_uploads", "file_uploads"),
    ("short_open_tag", "short_open_tag"),
    ("additional_directives", "Directives PHP supplémentaires"),
    ("webmail", "Webmail"),
    ("mailing_lists", "Listes de diffusion"),
    (
        "nonexistent_user",
        "Courrier destiné aux utilisateurs inexistants",
    ),
    ("bounce_message", "Message de retour"),
    ("forward_address", "Transférer à l'adresse"),
    ("zone_type", "Type de zone DNS"),
    ("max_bandwidth", "Bande passante maximale par site"),
    (
        "max_connections",
        "Connexions simultanées maximales par site",
    ),
    ("stats_retention", "Mois de statistiques Web conservés"),
    ("log_rotation", "Rotation des logs selon"),
    ("log_period", "Période de rotation"),
    ("log_size", "Taille de rotation"),
    ("log_files_kept", "Fichiers de log conservés"),
    ("log_compress", "Compresser les fichiers de log"),
    ("log_mail_to", "Envoyer les logs traités à"),
    ("applications", "Applications"),
];

/// Texts and formats of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text of `key` in this language (the key itself when missing).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        CATALOG
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, en, fr)| match self.0 {
                Lang::En => *en,
                Lang::Fr => *fr,
            })
            .unwrap_or(key)
    }

    /// The name of a property in this language: the descriptor's label in English, its
    /// entry of [`PROPERTY_FR`] in French.
    pub fn property(&self, d: &berth_core::property::Descriptor) -> &'static str {
        match self.0 {
            Lang::En => d.label,
            Lang::Fr => PROPERTY_FR
                .iter()
                .find(|(name, _)| *name == d.name)
                .map_or(d.label, |(_, fr)| *fr),
        }
    }

    /// A date: `2026-03-01` in English, `01/03/2026` in French.
    pub fn date(&self, date: NaiveDate) -> String {
        match self.0 {
            Lang::En => date.format("%Y-%m-%d").to_string(),
            Lang::Fr => date.format("%d/%m/%Y").to_string(),
        }
    }

    /// An instant, as a date in UTC.
    pub fn day(&self, at: DateTime<Utc>) -> String {
        self.date(at.date_naive())
    }

    /// A whole number with the language's digit grouping: `1,234,567` or `1 234 567`
    /// (narrow no-break spaces).
    pub fn number(&self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self.0 {
            Lang::En => ",",
            Lang::Fr => "\u{202f}",
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        for (i, (key, en, fr)) in CATALOG.iter().enumerate() {
            assert!(!en.is_empty() && !fr.is_empty(), "{key} lacks a text");
            assert!(
                CATALOG[i + 1..].iter().all(|(k, _, _)| k != key),
                "{key} is listed twice"
            );
        }
    }

    /// Every literal key used by the UI's code and templates (`t("key")`).
    fn used_keys() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut keys = vec![];
        for dir in ["src/ui", "templates"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for part in text.split("t(\"").skip(1) {
                    let key = part.split('"').next().unwrap_or_default();
                    if !key.is_empty() && key.contains('.') && !key.contains('{') {
                        keys.push(key.to_owned());
                    }
                }
            }
        }
        keys
    }

    #[test]
    fn every_text_the_ui_uses_is_in_the_catalog() {
        let mut keys = used_keys();
        assert!(keys.len() > 50, "the scan found the UI's texts");
        keys.extend(["status.active", "status.suspended"].map(String::from));
        keys.extend(["sync.synced", "sync.locked", "sync.unsynced"].map(String::from));
        for kind in ["main", "site", "alias", "subdomain"] {
            keys.push(format!("domains.kind.{kind}"));
        }
        for state in ["pending", "running", "done", "failed"] {
            keys.push(format!("job.{state}"));
        }
        for kind in ["shared", "dedicated"] {
            keys.push(format!("ips.{kind}"));
        }
        for group in berth_core::property::Group::ALL {
            keys.push(format!("group.{}", group.as_str()));
        }
        for action in [
            "suspend",
            "activate",
            "remove",
            "change_plan",
            "unlock",
            "change_subscriber",
            "to_reseller",
            "move",
        ] {
            keys.push(format!("action.{action}"));
        }
        for key in keys {
            assert!(
                CATALOG.iter().any(|(k, _, _)| *k == key),
                "{key} is not in the catalog"
            );
        }
    }

    #[test]
    fn every_property_of_the_descriptor_table_has_a_french_name() {
        for d in berth_core::property::PROPERTIES {
            let french = PROPERTY_FR
                .iter()
                .filter(|(name, _)| *name == d.name)
                .count();
            assert_eq!(french, 1, "{} needs exactly one French name", d.name);
        }
        for (name, fr) in PROPERTY_FR {
            assert!(!fr.is_empty(), "{name} has an empty French name");
            assert!(
                berth_core::property::descriptor(name).is_some(),
                "{name} is not a property"
            );
        }
        let disk = berth_core::property::descriptor("disk_space").unwrap();
        assert_eq!(Tr(Lang::Fr).property(disk), "Espace disque");
        assert_eq!(Tr(Lang::En).property(disk), "Disk space");
    }

    #[test]
    fn the_locale_picks_the_language_and_its_formats() {
        let fr = Tr(Lang::of_locale("fr-FR"));
        let en = Tr(Lang::of_locale("en-US"));
        assert_eq!(fr.t("nav.customers"), "Clients");
        assert_eq!(en.t("nav.customers"), "Customers");
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(fr.date(day), "01/03/2026");
        assert_eq!(en.date(day), "2026-03-01");
        assert_eq!(en.number(1234567), "1,234,567");
        assert_eq!(fr.number(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(en.number(999), "999");
        assert_eq!(
            Lang::of_accept_language("fr-CA,fr;q=0.9,en;q=0.8"),
            Lang::Fr
        );
    }
}
