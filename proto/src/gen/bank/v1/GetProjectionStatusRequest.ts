// Original file: proto/bank/v1/queries.proto


export interface GetProjectionStatusRequest {
}

export interface GetProjectionStatusRequest__Output {
}
