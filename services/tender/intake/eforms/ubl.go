package eforms

// The UBL 2.3 / eForms structures below keep only what the importer reads.
// Elements are matched by local name (cbc, cac, efac and efbc prefixes do not
// matter), and every leaf is a string parsed by hand.

type langText struct {
	Lang  string `xml:"languageID,attr"`
	Value string `xml:",chardata"`
}

type listCode struct {
	ListName string `xml:"listName,attr"`
	Value    string `xml:",chardata"`
}

type schemeID struct {
	SchemeName string `xml:"schemeName,attr"`
	Value      string `xml:",chardata"`
}

type amount struct {
	Currency string `xml:"currencyID,attr"`
	Value    string `xml:",chardata"`
}

type durationMeasure struct {
	Unit  string `xml:"unitCode,attr"`
	Value string `xml:",chardata"`
}

type period struct {
	EndDate string `xml:"EndDate"`
	EndTime string `xml:"EndTime"`
}

type notice struct {
	Ext                noticeExtension    `xml:"UBLExtensions>UBLExtension>ExtensionContent>EformsExtension"`
	ID                 string             `xml:"ID"`
	IssueDate          string             `xml:"IssueDate"`
	IssueTime          string             `xml:"IssueTime"`
	NoticeTypeCode     string             `xml:"NoticeTypeCode"`
	NoticeLanguageCode string             `xml:"NoticeLanguageCode"`
	ContractingParties []contractingParty `xml:"ContractingParty"`
	ProcedureCode      string             `xml:"TenderingProcess>ProcedureCode"`
	Project            project            `xml:"ProcurementProject"`
	Lots               []lot              `xml:"ProcurementProjectLot"`
}

type noticeExtension struct {
	PublicationID string         `xml:"Publication>NoticePublicationID"`
	Organizations []organization `xml:"Organizations>Organization"`
	Result        noticeResult   `xml:"NoticeResult"`
}

type organization struct {
	ID        string     `xml:"Company>PartyIdentification>ID"`
	Names     []langText `xml:"Company>PartyName>Name"`
	CompanyID string     `xml:"Company>PartyLegalEntity>CompanyID"`
	Size      string     `xml:"Company>CompanySizeCode"`
}

type contractingParty struct {
	PartyID string `xml:"Party>PartyIdentification>ID"`
}

type project struct {
	ID            string          `xml:"ID"`
	Names         []langText      `xml:"Name"`
	Descriptions  []langText      `xml:"Description"`
	TypeCodes     []listCode      `xml:"ProcurementTypeCode"`
	Estimated     *amount         `xml:"RequestedTenderTotal>EstimatedOverallContractAmount"`
	MainCPVs      []listCode      `xml:"MainCommodityClassification>ItemClassificationCode"`
	AdditionalCPV []listCode      `xml:"AdditionalCommodityClassification>ItemClassificationCode"`
	NUTS          []listCode      `xml:"RealizedLocation>Address>CountrySubentityCode"`
	Duration      durationMeasure `xml:"PlannedPeriod>DurationMeasure"`
	StartDate     string          `xml:"PlannedPeriod>StartDate"`
	EndDate       string          `xml:"PlannedPeriod>EndDate"`
}

type lot struct {
	ID      schemeID    `xml:"ID"`
	Project project     `xml:"ProcurementProject"`
	Process lotProcess  `xml:"TenderingProcess"`
	Docs    []reference `xml:"TenderingTerms>CallForTendersDocumentReference"`
}

type lotProcess struct {
	Submission    period `xml:"TenderSubmissionDeadlinePeriod"`
	Participation period `xml:"ParticipationRequestReceptionPeriod"`
	Interest      period `xml:"UBLExtensions>UBLExtension>ExtensionContent>EformsExtension>InterestExpressionReceptionPeriod"`
}

type reference struct {
	ID           string `xml:"ID"`
	DocumentType string `xml:"DocumentType"`
	URI          string `xml:"Attachment>ExternalReference>URI"`
}

type noticeResult struct {
	LotResults []lotResult       `xml:"LotResult"`
	LotTenders []lotTender       `xml:"LotTender"`
	Parties    []tenderingParty  `xml:"TenderingParty"`
	Contracts  []settledContract `xml:"SettledContract"`
}

type lotResult struct {
	ResultCode string       `xml:"TenderResultCode"`
	TenderIDs  []string     `xml:"LotTender>ID"`
	LotID      string       `xml:"TenderLot>ID"`
	Statistics []statistics `xml:"ReceivedSubmissionsStatistics"`
}

type statistics struct {
	Code   string `xml:"StatisticsCode"`
	Number string `xml:"StatisticsNumeric"`
}

type lotTender struct {
	ID      string  `xml:"ID"`
	Amount  *amount `xml:"LegalMonetaryTotal>PayableAmount"`
	PartyID string  `xml:"TenderingParty>ID"`
}

type tenderingParty struct {
	ID        string     `xml:"ID"`
	Names     []langText `xml:"Name"`
	Tenderers []string   `xml:"Tenderer>ID"`
}

type settledContract struct {
	AwardDate string   `xml:"AwardDate"`
	IssueDate string   `xml:"IssueDate"`
	TenderIDs []string `xml:"LotTender>ID"`
}
