package placsp

// The CODICE structures below keep only what the importer reads. Elements are
// matched by local name, so the cbc/cac/cac-place-ext prefixes do not matter.
// Every leaf is a string: values are parsed by hand so that one malformed
// value rejects one entry instead of failing the whole page.

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID      string                `xml:"id"`
	Links   []atomLink            `xml:"link"`
	Title   string                `xml:"title"`
	Summary string                `xml:"summary"`
	Updated string                `xml:"updated"`
	Folder  *contractFolderStatus `xml:"ContractFolderStatus"`
}

type deletedEntry struct {
	Ref     string `xml:"ref,attr"`
	When    string `xml:"when,attr"`
	Comment struct {
		Type string `xml:"type,attr"`
	} `xml:"comment"`
}

type contractFolderStatus struct {
	ContractFolderID string              `xml:"ContractFolderID"`
	StatusCode       string              `xml:"ContractFolderStatusCode"`
	Party            codiceParty         `xml:"LocatedContractingParty>Party"`
	Project          procurementProject  `xml:"ProcurementProject"`
	Lots             []procurementLot    `xml:"ProcurementProjectLot"`
	Results          []tenderResult      `xml:"TenderResult"`
	Process          tenderingProcess    `xml:"TenderingProcess"`
	LegalDocs        []documentReference `xml:"LegalDocumentReference"`
	TechnicalDocs    []documentReference `xml:"TechnicalDocumentReference"`
	AdditionalDocs   []documentReference `xml:"AdditionalDocumentReference"`
	GeneralDocs      []documentReference `xml:"GeneralDocument>GeneralDocumentDocumentReference"`
	Notices          []string            `xml:"ValidNoticeInfo>NoticeTypeCode"`
}

type partyID struct {
	SchemeName string `xml:"schemeName,attr"`
	Value      string `xml:",chardata"`
}

type codiceParty struct {
	IDs  []partyID `xml:"PartyIdentification>ID"`
	Name string    `xml:"PartyName>Name"`
}

type amount struct {
	Currency string `xml:"currencyID,attr"`
	Value    string `xml:",chardata"`
}

type budgetAmount struct {
	Estimated    *amount `xml:"EstimatedOverallContractAmount"`
	Total        *amount `xml:"TotalAmount"`
	TaxExclusive *amount `xml:"TaxExclusiveAmount"`
}

type durationMeasure struct {
	Unit  string `xml:"unitCode,attr"`
	Value string `xml:",chardata"`
}

type plannedPeriod struct {
	StartDate string          `xml:"StartDate"`
	EndDate   string          `xml:"EndDate"`
	Duration  durationMeasure `xml:"DurationMeasure"`
}

type procurementProject struct {
	Name        string        `xml:"Name"`
	Description string        `xml:"Description"`
	TypeCode    string        `xml:"TypeCode"`
	Budget      budgetAmount  `xml:"BudgetAmount"`
	CPVs        []string      `xml:"RequiredCommodityClassification>ItemClassificationCode"`
	NUTS        []string      `xml:"RealizedLocation>CountrySubentityCode"`
	Planned     plannedPeriod `xml:"PlannedPeriod"`
}

type procurementLot struct {
	ID      string             `xml:"ID"`
	Project procurementProject `xml:"ProcurementProject"`
}

type tenderResult struct {
	ResultCode   string        `xml:"ResultCode"`
	AwardDate    string        `xml:"AwardDate"`
	Received     string        `xml:"ReceivedTenderQuantity"`
	SMEAwarded   string        `xml:"SMEAwardedIndicator"`
	Winners      []codiceParty `xml:"WinningParty"`
	LotID        string        `xml:"AwardedTenderedProject>ProcurementProjectLotID"`
	TaxExclusive *amount       `xml:"AwardedTenderedProject>LegalMonetaryTotal>TaxExclusiveAmount"`
	Payable      *amount       `xml:"AwardedTenderedProject>LegalMonetaryTotal>PayableAmount"`
}

type tenderingProcess struct {
	ProcedureCode string `xml:"ProcedureCode"`
	Deadline      struct {
		EndDate string `xml:"EndDate"`
		EndTime string `xml:"EndTime"`
	} `xml:"TenderSubmissionDeadlinePeriod"`
}

type documentReference struct {
	ID       string `xml:"ID"`
	URI      string `xml:"Attachment>ExternalReference>URI"`
	FileName string `xml:"Attachment>ExternalReference>FileName"`
}
