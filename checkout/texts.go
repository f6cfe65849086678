package checkout

// texts are the words of the checkout in one locale.
type texts struct {
	Lang, Title, PayTo, Items, Item, Quantity, VAT, VATIncluded, Total, DueDate                 string
	YourDetails, FirstName, LastName, Email, Phone, Address, Street, Zip, City, Optional        string
	ChooseMethod                                                                                string
	Pay, Cancel, FixErrors                                                                      string
	WaitingTitle, Refreshing, CheckNow                                                          string
	Declined                                                                                    string
	TryAgain                                                                                    string
	BankTitle, Reference, Amount, Received, OtherMethod                                         string
	BankNote                                                                                    string // %s is the reference type, OCR or KID
	PaidTitle, PaidText, PaidAt, Method, ReceiptNo, DownloadReceipt, Continue                   string
	ExpiredTitle, ExpiredText, CancelledTitle, CancelledText, NotFoundTitle, NotFoundText       string
	TooMany, InProgress                                                                         string
	Required, InvalidEmail, InvalidPhone, UnknownMethod, NotConnected, Skip, Logo, Secure, Test string
	TooLong                                                                                     string // %d is the most characters allowed
	OrderClosed                                                                                 string
	// What the page is: the header's words and the amount's label.
	PaidTo, ClosedTo, AmountPaid, AmountClosed, Remaining, SumTotal string
	PartlyPaid                                                      string // %s is the reference type
	NotStarted, PartlyPaidReason                                    string
	OtherTabText                                                    string // %s names the method in progress
	AlreadyPaidReason, PressCheck                                   string
}

var locales = map[string]texts{
	"sv-SE": {
		Lang: "sv", Title: "Betalning", PayTo: "Betala till", Items: "Varor", Item: "Vara", Quantity: "Antal", VAT: "Moms",
		VATIncluded: "varav moms", Total: "Att betala", DueDate: "Sista betalningsdag",
		YourDetails: "Dina uppgifter", FirstName: "Förnamn", LastName: "Efternamn", Email: "E-post",
		Phone: "Mobilnummer", Address: "Adress", Street: "Gatuadress", Zip: "Postnummer", City: "Ort",
		Optional:     "frivilligt",
		ChooseMethod: "Välj betalsätt", Pay: "Betala", Cancel: "Avbryt och gå tillbaka", FixErrors: "Kontrollera de markerade fälten.",
		WaitingTitle: "Väntar på betalningen", Refreshing: "Sidan uppdateras av sig själv.", CheckNow: "Kontrollera nu",
		Declined: "Betalningen gick inte igenom.", TryAgain: "Du kan försöka igen nedan.",
		BankTitle: "Betala med bankgiro", Reference: "OCR-nummer", Amount: "Belopp", Received: "Inbetalt hittills",
		BankNote:    "Ange %s-numret när du betalar. Länken blir betald när pengarna har kommit in.",
		OtherMethod: "Eller välj ett annat betalsätt:",
		PaidTitle:   "Tack för din betalning!", PaidText: "Betalningen är klar.", PaidAt: "Betald", Method: "Betalsätt",
		ReceiptNo: "Kvittonummer", DownloadReceipt: "Ladda ner kvitto (PDF)", Continue: "Fortsätt",
		ExpiredTitle: "Länken har gått ut", ExpiredText: "Sista betalningsdagen har passerat. Kontakta säljaren.",
		CancelledTitle: "Länken är makulerad", CancelledText: "Säljaren har dragit tillbaka betalningslänken.",
		NotFoundTitle: "Länken finns inte", NotFoundText: "Kontrollera att du har skrivit av länken rätt.",
		TooMany:    "För många försök. Vänta en stund och försök igen.",
		InProgress: "En betalning pågår redan.",
		Required:   "Fyll i det här fältet.", InvalidEmail: "Ange en giltig e-postadress.",
		InvalidPhone: "Ange ett giltigt mobilnummer.", UnknownMethod: "Välj ett betalsätt.", NotConnected: "Det här betalsättet är inte tillgängligt just nu. Välj ett annat.",
		Skip: "Hoppa till betalningen", Logo: "logotyp", Secure: "Säker betalning via Ping Payments",
		Test:    "Testläge – inga riktiga pengar dras.",
		TooLong: "Högst %d tecken.", OrderClosed: "Länken kan inte betalas längre. Kontakta säljaren.",
		PaidTo: "Betalt till", ClosedTo: "Betalning till", AmountPaid: "Betalt", AmountClosed: "Kan inte längre betalas",
		Remaining: "Kvar att betala", SumTotal: "Totalt",
		PartlyPaid: "En del av beloppet har kommit in. Betala resten till samma bankgiro med samma %s-nummer. Kort och Swish går inte att välja för resten, eftersom en del redan är betald med bankgiro.",
		NotStarted: "Ingen ny betalning har startats.", PartlyPaidReason: "En del av beloppet har redan kommit in via bankgiro, så resten betalas också med bankgiro.",
		OtherTabText:      "En betalning med %s startades först, troligen i ett annat fönster eller en annan flik. Slutför eller avbryt den där; den här sidan visar sedan resultatet.",
		AlreadyPaidReason: "Länken var redan betald.", PressCheck: "Tryck på ”Kontrollera nu” för att se läget.",
	},
	"nb-NO": {
		Lang: "nb", Title: "Betaling", PayTo: "Betal til", Items: "Varer", Item: "Vare", Quantity: "Antall", VAT: "MVA",
		VATIncluded: "herav MVA", Total: "Å betale", DueDate: "Forfallsdato",
		YourDetails: "Dine opplysninger", FirstName: "Fornavn", LastName: "Etternavn", Email: "E-post",
		Phone: "Mobilnummer", Address: "Adresse", Street: "Gateadresse", Zip: "Postnummer", City: "Poststed",
		Optional:     "valgfritt",
		ChooseMethod: "Velg betalingsmåte", Pay: "Betal", Cancel: "Avbryt og gå tilbake", FixErrors: "Kontroller de markerte feltene.",
		WaitingTitle: "Venter på betalingen", Refreshing: "Siden oppdateres av seg selv.", CheckNow: "Sjekk nå",
		Declined: "Betalingen gikk ikke gjennom.", TryAgain: "Du kan prøve igjen nedenfor.",
		BankTitle: "Betal med bankoverføring", Reference: "KID-nummer", Amount: "Beløp", Received: "Innbetalt så langt",
		BankNote:    "Oppgi %s-nummeret når du betaler. Lenken blir betalt når pengene er mottatt.",
		OtherMethod: "Eller velg en annen betalingsmåte:",
		PaidTitle:   "Takk for betalingen!", PaidText: "Betalingen er fullført.", PaidAt: "Betalt", Method: "Betalingsmåte",
		ReceiptNo: "Kvitteringsnummer", DownloadReceipt: "Last ned kvittering (PDF)", Continue: "Fortsett",
		ExpiredTitle: "Lenken har utløpt", ExpiredText: "Forfallsdatoen er passert. Kontakt selgeren.",
		CancelledTitle: "Lenken er kansellert", CancelledText: "Selgeren har trukket tilbake betalingslenken.",
		NotFoundTitle: "Lenken finnes ikke", NotFoundText: "Kontroller at lenken er skrevet riktig.",
		TooMany:    "For mange forsøk. Vent litt og prøv igjen.",
		InProgress: "En betaling pågår allerede.",
		Required:   "Fyll ut dette feltet.", InvalidEmail: "Oppgi en gyldig e-postadresse.",
		InvalidPhone: "Oppgi et gyldig mobilnummer.", UnknownMethod: "Velg en betalingsmåte.", NotConnected: "Denne betalingsmåten er ikke tilgjengelig nå. Velg en annen.",
		Skip: "Gå til betalingen", Logo: "logo", Secure: "Sikker betaling via Ping Payments",
		Test:    "Testmodus – ingen ekte penger trekkes.",
		TooLong: "Maks %d tegn.", OrderClosed: "Lenken kan ikke betales lenger. Kontakt selgeren.",
		PaidTo: "Betalt til", ClosedTo: "Betaling til", AmountPaid: "Betalt", AmountClosed: "Kan ikke lenger betales",
		Remaining: "Gjenstår å betale", SumTotal: "Totalt",
		PartlyPaid: "En del av beløpet er kommet inn. Betal resten til samme konto med samme %s-nummer. Kort og Swish kan ikke velges for resten, fordi en del allerede er betalt med bankoverføring.",
		NotStarted: "Ingen ny betaling er startet.", PartlyPaidReason: "En del av beløpet er allerede kommet inn med bankoverføring, så resten betales også med bankoverføring.",
		OtherTabText:      "En betaling med %s ble startet først, trolig i et annet vindu eller en annen fane. Fullfør eller avbryt den der; denne siden viser så resultatet.",
		AlreadyPaidReason: "Lenken var allerede betalt.", PressCheck: "Trykk på «Sjekk nå» for å se status.",
	},
	"en-GB": {
		Lang: "en-GB", Title: "Payment", PayTo: "Pay to", Items: "Items", Item: "Item", Quantity: "Qty", VAT: "VAT",
		VATIncluded: "including VAT", Total: "Total to pay", DueDate: "Due date",
		YourDetails: "Your details", FirstName: "First name", LastName: "Last name", Email: "Email",
		Phone: "Mobile number", Address: "Address", Street: "Street address", Zip: "Postcode", City: "Town or city",
		Optional:     "optional",
		ChooseMethod: "Choose how to pay", Pay: "Pay", Cancel: "Cancel and go back", FixErrors: "Please check the marked fields.",
		WaitingTitle: "Waiting for the payment", Refreshing: "This page updates by itself.", CheckNow: "Check now",
		Declined: "The payment did not go through.", TryAgain: "You can try again below.",
		BankTitle: "Pay by bank transfer", Reference: "Payment reference", Amount: "Amount", Received: "Received so far",
		BankNote:    "Give the reference when you pay. The link is paid once the money has arrived.",
		OtherMethod: "Or choose another way to pay:",
		PaidTitle:   "Thank you for your payment!", PaidText: "The payment is complete.", PaidAt: "Paid", Method: "Paid with",
		ReceiptNo: "Receipt number", DownloadReceipt: "Download receipt (PDF)", Continue: "Continue",
		ExpiredTitle: "This link has expired", ExpiredText: "The due date has passed. Please contact the seller.",
		CancelledTitle: "This link was cancelled", CancelledText: "The seller has withdrawn this payment link.",
		NotFoundTitle: "Link not found", NotFoundText: "Please check that the link was copied correctly.",
		TooMany:    "Too many attempts. Please wait a moment and try again.",
		InProgress: "A payment is already in progress.",
		Required:   "Please fill in this field.", InvalidEmail: "Enter a valid email address.",
		InvalidPhone: "Enter a valid mobile number.", UnknownMethod: "Choose a way to pay.", NotConnected: "This way to pay is not available at the moment. Please choose another.",
		Skip: "Skip to payment", Logo: "logo", Secure: "Secure payment by Ping Payments",
		Test:    "Test mode — no real money is taken.",
		TooLong: "Use at most %d characters.", OrderClosed: "This link can no longer be paid. Please contact the seller.",
		PaidTo: "Paid to", ClosedTo: "Payment to", AmountPaid: "Paid", AmountClosed: "No longer payable",
		Remaining: "Left to pay", SumTotal: "Total",
		PartlyPaid: "Part of the amount has arrived. Pay the rest to the same account with the same %s reference. Card and Swish cannot be chosen for the rest, because part of it has already been paid by transfer.",
		NotStarted: "No new payment was started.", PartlyPaidReason: "Part of the amount has already arrived by bank transfer, so the rest is paid by bank transfer too.",
		OtherTabText:      "A payment by %s was started first, probably in another window or tab. Finish or cancel it there; this page then shows the outcome.",
		AlreadyPaidReason: "The link had already been paid.", PressCheck: "Press “Check now” to see the latest.",
	},
}

func textsFor(locale string) texts {
	if t, ok := locales[locale]; ok {
		return t
	}
	return locales["en-GB"]
}
