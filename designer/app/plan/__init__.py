"""The floor-plan view: scene, graphics items, interaction tools, overlays."""
