# tests shared by several modules (integration, interop).
