package sandbox

// words are the simulated rails' words on the checkout, in one locale.
type words struct {
	Card, CardNumber, CardExpiry, CardCVC                                  string
	InvalidCardNumber, CardExpired, InvalidExpiry, InvalidCVC, Required    string
	DeclinedCard, InsufficientFunds, AuthFailed                            string
	ChallengeTitle, ChallengeText, Approve, Fail, Continue                 string
	Swish, SwishMobile, SwishPhone, InvalidPhone                           string
	WaitingTitle, WaitingSwish, WaitingSwishMobile, OpenSwish, ScanQR      string
	SwishDeclined, SwishAborted, SwishExpired, SwishCrashed, Dummy, Unsure string
	NotChargedCard, NotStartedSwish                                        string
}

var wordsByLocale = map[string]words{
	"sv-SE": {
		Card: "Kort", CardNumber: "Kortnummer", CardExpiry: "Giltigt till (MM/ÅÅ)", CardCVC: "CVC",
		InvalidCardNumber: "Kontrollera kortnumret.", CardExpired: "Kortet har gått ut.",
		InvalidExpiry: "Ange månad och år som MM/ÅÅ.", InvalidCVC: "Ange kortets säkerhetskod (CVC).",
		Required:          "Fyll i det här fältet.",
		DeclinedCard:      "Kortet nekades. Försök med ett annat kort eller betalsätt.",
		InsufficientFunds: "Det finns inte tillräckligt med pengar på kortet.", AuthFailed: "Verifieringen hos banken misslyckades.",
		ChallengeTitle: "Verifiera köpet", ChallengeText: "Din bank ber dig bekräfta köpet.",
		Approve: "Godkänn", Fail: "Misslyckas", Continue: "Fortsätt",
		Swish: "Swish", SwishMobile: "Swish på den här enheten", SwishPhone: "Mobilnummer för Swish",
		InvalidPhone: "Ange ett giltigt mobilnummer.",
		WaitingTitle: "Väntar på Swish", WaitingSwish: "Öppna Swish-appen på din mobil och godkänn betalningen.",
		WaitingSwishMobile: "Godkänn betalningen i Swish-appen.", OpenSwish: "Öppna Swish",
		ScanQR:        "Skanna QR-koden med Swish-appen.",
		SwishDeclined: "Betalningen nekades i Swish.", SwishAborted: "Du avbröt betalningen i Swish.",
		SwishExpired: "Betalningen godkändes inte i tid.", SwishCrashed: "Ett fel uppstod hos banken. Försök igen.",
		Dummy: "Testbetalning", Unsure: "Väntar på banken",
		NotChargedCard: "Ditt kort har inte debiterats.", NotStartedSwish: "Ingen Swish-betalning har startats.",
	},
	"nb-NO": {
		Card: "Kort", CardNumber: "Kortnummer", CardExpiry: "Utløper (MM/ÅÅ)", CardCVC: "CVC",
		InvalidCardNumber: "Kontroller kortnummeret.", CardExpired: "Kortet er utløpt.",
		InvalidExpiry: "Oppgi måned og år som MM/ÅÅ.", InvalidCVC: "Oppgi kortets sikkerhetskode (CVC).",
		Required:          "Fyll ut dette feltet.",
		DeclinedCard:      "Kortet ble avvist. Prøv et annet kort eller en annen betalingsmåte.",
		InsufficientFunds: "Det er ikke nok penger på kortet.", AuthFailed: "Bekreftelsen hos banken mislyktes.",
		ChallengeTitle: "Bekreft kjøpet", ChallengeText: "Banken din ber deg bekrefte kjøpet.",
		Approve: "Godkjenn", Fail: "Mislykkes", Continue: "Fortsett",
		Swish: "Swish", SwishMobile: "Swish på denne enheten", SwishPhone: "Mobilnummer for Swish",
		InvalidPhone: "Oppgi et gyldig mobilnummer.",
		WaitingTitle: "Venter på Swish", WaitingSwish: "Åpne Swish-appen på mobilen og godkjenn betalingen.",
		WaitingSwishMobile: "Godkjenn betalingen i Swish-appen.", OpenSwish: "Åpne Swish",
		ScanQR:        "Skann QR-koden med Swish-appen.",
		SwishDeclined: "Betalingen ble avvist i Swish.", SwishAborted: "Du avbrøt betalingen i Swish.",
		SwishExpired: "Betalingen ble ikke godkjent i tide.", SwishCrashed: "Det oppstod en feil hos banken. Prøv igjen.",
		Dummy: "Testbetaling", Unsure: "Venter på banken",
		NotChargedCard: "Kortet ditt er ikke belastet.", NotStartedSwish: "Ingen Swish-betaling er startet.",
	},
	"en-GB": {
		Card: "Card", CardNumber: "Card number", CardExpiry: "Expiry date (MM/YY)", CardCVC: "Security code (CVC)",
		InvalidCardNumber: "Check the card number.", CardExpired: "The card has expired.",
		InvalidExpiry: "Enter the month and year as MM/YY.", InvalidCVC: "Enter the card's security code (CVC).",
		Required:          "Please fill in this field.",
		DeclinedCard:      "The card was declined. Try another card or another way to pay.",
		InsufficientFunds: "There is not enough money on the card.", AuthFailed: "Your bank could not verify the payment.",
		ChallengeTitle: "Confirm your purchase", ChallengeText: "Your bank asks you to confirm this purchase.",
		Approve: "Approve", Fail: "Fail", Continue: "Continue",
		Swish: "Swish", SwishMobile: "Swish on this device", SwishPhone: "Mobile number for Swish",
		InvalidPhone: "Enter a valid mobile number.",
		WaitingTitle: "Waiting for Swish", WaitingSwish: "Open the Swish app on your phone and approve the payment.",
		WaitingSwishMobile: "Approve the payment in the Swish app.", OpenSwish: "Open Swish",
		ScanQR:        "Scan the QR code with the Swish app.",
		SwishDeclined: "The payment was declined in Swish.", SwishAborted: "You cancelled the payment in Swish.",
		SwishExpired: "The payment was not approved in time.", SwishCrashed: "Something went wrong at the bank. Please try again.",
		Dummy: "Test payment", Unsure: "Waiting for your bank",
		NotChargedCard: "Your card has not been charged.", NotStartedSwish: "No Swish payment was started.",
	},
}

func wordsFor(locale string) words {
	if w, ok := wordsByLocale[locale]; ok {
		return w
	}
	return wordsByLocale["en-GB"]
}
