"""Code every Santhai service uses: settings, contract models, events, messaging, database,
service defaults."""
