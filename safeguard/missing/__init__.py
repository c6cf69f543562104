"""Missing children (issue 5). So far: the pure rules; the app's models and pages come next."""
