// Progressive enhancement only: every page works without this file. Only the GOV.UK Frontend
// components our pages use are imported; assets/build.mjs bundles them into this one small
// file (no chain of module requests), and a component added to a template is added here.
import {
  Button, CharacterCount, Checkboxes, ErrorSummary, FileUpload, NotificationBanner,
  PasswordInput, Radios, ServiceNavigation, SkipLink, createAll,
} from "govuk-frontend";

for (const Component of [Button, CharacterCount, Checkboxes, ErrorSummary, FileUpload,
  NotificationBanner, PasswordInput, Radios, ServiceNavigation, SkipLink]) {
  createAll(Component);
}
