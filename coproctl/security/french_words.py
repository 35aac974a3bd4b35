"""Common French words, first names, surnames and places, for the guessability estimate.

zxcvbn ships English lists only: it misses ``Printemps2024``, ``Vacances2023``, ``Limoges87``
or ``Clemence1985``. This list is registered with zxcvbn lazily by
:mod:`coproctl.security.policy`. Entries are lower-case and without accents (the policy also
checks the accent-stripped password), in blocks: words people build passwords on, cities,
regions, first names, surnames; roughly most likely first, as zxcvbn counts a word's rank as
its number of guesses.
"""

_WORDS = """
soleil amour bonjour chocolat doudou loulou chouchou bisous coucou jetaime bonheur liberte
famille maison printemps vacances etoile lumiere papillon princesse nounours cheri cherie
mamour bebe maman papa mamie papi papy tonton tata copain copine chaton chat chien cheval
lapin dauphin tigre lion loup ours oiseau poisson tortue souris panthere fleur rose tulipe
marguerite coquelicot tournesol lavande jasmin violette orchidee lilas muguet tilleul chene
sapin olivier ete automne hiver noel paques anniversaire mariage bienvenue janvier fevrier
mars avril mai juin juillet aout septembre octobre novembre decembre lundi mardi mercredi
jeudi vendredi samedi dimanche matin soir nuit jour semaine annee plage mer ocean montagne
campagne jardin foret riviere neige pluie nuage ciel lune soleil arc-en-ciel arcenciel orage
vent baguette fromage croissant gateau bonbon caramel vanille fraise framboise cerise pomme
banane orange citron peche abricot myrtille noisette cafe biere champagne vin pastis crepe
musique guitare piano danse football foot rugby tennis velo moto voiture bateau avion voyage
cinema livre ecole travail bureau argent tresor secret bonsoir salut merci super genial
magique reve espoir paix joie vie coeur ange diable dragon sirene fee licorne pirate cowboy
indien chevalier roi reine prince bisounours titou toto titi choupette minou minette pupuce
puce bichette poussin canard cocotte poupee cacahuete france francais francaise patrie
republique olympique allezlom residence copropriete syndic immeuble appartement batiment
parking clef cle porte fenetre escalier gardien voisin quartier secret bienvenu acces
connexion compte client
paris marseille lyon toulouse nice nantes montpellier strasbourg bordeaux lille rennes reims
toulon grenoble dijon angers nimes villeurbanne clermont ferrand lehavre havre saintetienne
etienne aix aixenprovence brest tours amiens limoges annecy perpignan boulogne metz besancon
orleans rouen mulhouse caen nancy argenteuil montreuil roubaix tourcoing nanterre avignon
vitry creteil dunkerque poitiers asnieres versailles colombes aubervilliers courbevoie
cherbourg pau calais ajaccio bastia bayonne biarritz cannes antibes chambery colmar
larochelle rochelle lorient vannes quimper saintmalo malo troyes valence beziers montauban
niort ville vincennes neuilly levallois sevres meudon issy clichy pantin bobigny bondy
aulnay drancy evry cergy pontoise meaux melun chartres blois bourges nevers auxerre macon
lourdes tarbes agen perigueux angouleme cognac arcachon deauville honfleur chamonix megeve
vichy frejus hyeres menton grasse arles sete narbonne carcassonne albi rodez
bretagne normandie provence alsace lorraine corse savoie auvergne bourgogne picardie vendee
touraine gironde dordogne ardeche aquitaine occitanie champagne ardennes vosges jura
pyrenees alpes camargue cotedazur riviera landes gascogne berry limousin anjou poitou
charente beaujolais finistere morbihan mayenne sarthe loire seine marne oise somme rhone
marie jean pierre michel philippe alain nicolas francois patrick christophe daniel bernard
jacques eric laurent frederic stephane olivier thierry christian julien sebastien pascal
thomas dominique gerard didier claude bruno vincent rene andre louis paul yves serge
guillaume antoine mathieu maxime alexandre romain kevin lucas hugo enzo theo leo gabriel
arthur raphael jules nathan adam mael noah louka baptiste benoit cedric fabrice franck
gilles herve jerome joel lionel marc mickael regis sylvain xavier yannick arnaud damien
florian jeremy quentin clement tristan bastien corentin gael yann loic erwan ronan gwendal
jeanpierre jeanclaude jeanmarc jeanluc jeanpaul jeanfrancois jeanjacques jeanmichel nathalie
isabelle sylvie catherine francoise martine christine monique valerie sandrine sophie
stephanie veronique nicole celine chantal patricia sandra anne brigitte aurelie julie emilie
caroline virginie laurence helene audrey melanie camille manon chloe lea emma jade louise
ines lina alice juliette clemence mathilde pauline marion elodie charlotte lucie sarah laura
margaux oceane amandine jeanne genevieve simone odette josette jacqueline colette micheline
ginette yvette paulette denise suzanne madeleine therese germaine gisele bernadette danielle
evelyne beatrice agnes florence corinne karine delphine severine gaelle gwenaelle morgane
solene maelle laetitia benedicte geraldine murielle muriel nadine josiane mireille annie
elise eloise anais clara zoe rose mila ambre agathe capucine apolline victoire margot
justine noemie marine maeva oriane ophelie cecile claire estelle fanny marielle mariane
marianne annemarie mariefrance marieclaude marcel roger robert henri maurice georges lucien
raymond fernand gilbert albert gaston edouard emile leon auguste
martin bernard dubois thomas robert richard petit durand leroy moreau simon laurent lefebvre
michel garcia david bertrand roux vincent fournier morel girard andre lefevre mercier dupont
lambert bonnet francois martinez legrand garnier faure rousseau blanc guerin muller henry
roussel nicolas perrin morin mathieu clement gauthier dumont lopez fontaine chevalier robin
masson sanchez gerard nguyen boyer denis lemaire duval joly gautier roger roche roy noel
meyer lucas meunier jean perez marchand dufour blanchard marie barbier brun dumas brunet
schmitt leroux colin fernandez renaud grenier dupuis lemoine picard le-gall legall lebrun
"""

FRENCH_WORDS: tuple[str, ...] = tuple(dict.fromkeys(_WORDS.split()))
