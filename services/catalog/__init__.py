"""The catalog service: sellers, their accounts and settings, products, storefronts and QR codes."""
