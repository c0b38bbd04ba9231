"""The onboarding register: households, their training and their marketplace accounts."""
