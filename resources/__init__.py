"""Files shipped with the package: catalog, sample project, icons."""
