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
