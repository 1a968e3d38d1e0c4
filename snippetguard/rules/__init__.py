"""Rule plugins: one module per family, each rule one `@rule` definition."""
