// server.en.js - the texts the server makes, said in English from the stable codes it sends beside
// its own English (servertext.js). Merged into the en messages under server.*.
export default {
  server: {
    notes: {
      rule: 'Rule: {rule}',
      result_received: 'AI interview result received ({vendor} / {vendor_result_id})',
    },
    webhookErrors: {
      http_status: 'The receiver answered HTTP {status}',
      timeout: 'The receiver did not answer in time (timeout)',
      dns: 'The host name of the URL could not be resolved',
      connect_failed: 'Could not connect to the receiver',
      tls: 'The HTTPS connection failed (certificate or TLS handshake)',
      connection_lost: 'The connection to the receiver broke off before a full answer',
      bad_url: 'The URL is invalid or its protocol is not supported',
      secret_unreadable: 'The signing secret cannot be decrypted (was the key file changed?)',
      client_failed: 'The server could not start the request',
      network: 'Network error: the delivery failed',
    },
    skipped: {
      moved_by_other_rule: 'another rule moved the application first',
    },
    refusedAt: '{why} (current stage: {stage})',
    selectedMeans: {
      label: '"Selected" means: {means}',
      not_not_recommended: 'the AI did not say "not recommended"',
      not_eliminated_by_rule: 'not eliminated by this rule',
      moved_on_by_rule: 'moved on by this rule',
      report: '"Selected" means: for the AI recommendation, {ai}; for a rule, not eliminated by it',
    },
    actors: {
      automatic: 'System (automatic)',
      triggeredBy: 'System (triggered by {user})',
      system: {
        worker: 'System (scheduled job)',
        rules: 'System (automation rules)',
        cli: 'System (command line)',
        vendor: 'System (vendor delivery)',
        candidate: 'System (candidate)',
        'candidate-link': 'System (candidate link)',
        demo: 'System (demo data)',
        audit: 'System (audit)',
      },
      systemOther: 'System ({name})',
    },
  },
};
