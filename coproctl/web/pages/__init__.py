"""The pages, one module per procedure of the guide (connexion, mise à jour, mot de passe
oublié, espace client, paramètres)."""
