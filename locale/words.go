package locale

// Words are every text of one locale, grouped by where it is read. Each
// field is a key of the catalogue; TestEveryKeyInEveryLocale checks that
// every locale has every key, with the same placeholders.
type Words struct {
	Checkout Checkout
	Card     Card
	Swish    Swish
	Bank     Bank
	Sandbox  Sandbox
	Mail     Mail
	SMS      SMS
	Document Document
}

// Checkout are the words of the hosted checkout page.
type Checkout struct {
	Title, PayTo, Items, Item, Quantity, VAT, VATIncluded, Total, DueDate                       string
	YourDetails, FirstName, LastName, Email, Phone, Address, Street, Zip, City, Optional        string
	ChooseMethod                                                                                string
	Pay, Cancel, FixErrors                                                                      string
	WaitingTitle, Refreshing, CheckNow                                                          string
	Declined                                                                                    string
	TryAgain                                                                                    string
	BankTitle, Reference, Amount, Received, OtherMethod                                         string
	BankNote                                                                                    string // %s, if present, is the reference type, OCR or KID
	ReferenceLabel                                                                              string // %s is the reference type
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

// Card are the card connector's words on the checkout.
type Card struct {
	Label, Card                    string
	WaitingTitle, WaitingText      string
	ContinueText                   string
	Declined, Expired, Abandoned   string
	InsufficientFunds, CardExpired string
}

// Swish are the words of a Swish payment on the checkout, the same for the
// real rail and the sandbox's simulator.
type Swish struct {
	Label, LabelMobile, Phone, PhoneWrong                 string
	WaitingTitle, Waiting, WaitingMobile, OpenApp, ScanQR string
	Declined, Aborted, Expired, Crashed                   string
	NotStarted                                            string
}

// Bank are the words of a payment by bank transfer.
type Bank struct {
	Label         string // the method's name on the checkout and the receipt
	Bankgiro      string // the Swedish giro's name
	AccountNumber string // a Norwegian account number's label
}

// Sandbox are the words of the sandbox's simulated card processor and test
// payment.
type Sandbox struct {
	Card, CardNumber, CardExpiry, CardCVC                               string
	InvalidCardNumber, CardExpired, InvalidExpiry, InvalidCVC, Required string
	DeclinedCard, InsufficientFunds, AuthFailed                         string
	ChallengeTitle, ChallengeText, Approve, Fail, Continue              string
	Dummy, NotChargedCard, ExpiryFormat, CVCFormat                      string
}

// Mail are the words of the e-mails.
type Mail struct {
	LinkSubject     string // %s supplier
	Greeting        string // %s customer
	GreetingNoName  string
	LinkIntro       string // %s supplier, %s amount
	LinkDue         string // %s due date
	LinkButton      string
	LinkFallback    string
	LinkAttachment  string
	ReminderSubject string // %s supplier
	ReminderIntro   string // %s supplier, %s amount
	ReceiptSubject  string // %s supplier
	ReceiptIntro    string // %s supplier, %s amount
	ReceiptPaidAt   string // %s time
	ReceiptButton   string
	ReceiptAttached string
	Footer          string // %s supplier
}

// SMS are the texts of the SMS that carries a payment link. Placeholders:
// {s} supplier, {a} amount, {u} checkout URL.
type SMS struct {
	PaymentLink      string // the greeting form
	PaymentLinkShort string // when the greeting form does not fit one part
	Reminder         string // a reminder of a link not yet paid
	ReminderShort    string
}

// Document are the words printed on invoices and receipts, and their file
// names.
type Document struct {
	Invoice, Receipt                  string
	InvoiceNumber, InvoiceDate        string
	DueDate, CustomerRef              string
	ReceiptNumber, PaidAt, Method     string
	BillTo, Customer                  string
	Description, Qty, Unit, UnitPrice string
	VAT, Amount                       string
	VATOf                             string // %s is the rate
	AmountDue, TotalPaid              string
	Bankgiro, Reference               string
	OCR, KID                          string
	PayOnline, ScanToPay              string
	PaymentDetails                    string
	OrgNo, ItemNo                     string
	Page                              string // %d this page, %d of pages
	Continued                         string
	InvoiceFile, ReceiptFile          string // a downloaded file's name before its number
}

// catalogue holds the words of every locale in All.
var catalogue = map[Locale]*Words{SvSE: wordsSvSE, NbNO: wordsNbNO, EnGB: wordsEnGB}
