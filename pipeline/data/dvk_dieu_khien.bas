Attribute VB_Name = "Module1"
' The buttons of the dvk control workbook (dvk_dieu_khien.xlsm). Each one runs a function of
' dvk_dieu_khien.py, which "dvk init" writes beside this workbook, through the RunPython of
' the xlwings add-in. It is called late (Application.Run), so that without the add-in the
' button shows the workbook's own message instead of a compile error.
Option Explicit

Sub TongHop()
    Chay "tong_hop"
End Sub

Sub MoKetQua()
    Chay "mo_ket_qua"
End Sub

Sub TaoBieuMau()
    Chay "tao_bieu_mau"
End Sub

Sub KiemTra()
    Chay "kiem_tra"
End Sub

Private Sub Chay(ByVal lenh As String)
    On Error GoTo ChuaCoXlwings
    Application.Run "xlwings.xlam!RunPython", "import dvk_dieu_khien; dvk_dieu_khien." & lenh & "()"
    Exit Sub
ChuaCoXlwings:
    MsgBox ThisWorkbook.Names("dvk_thieu_xlwings").RefersToRange.Value, vbExclamation, "dvk"
End Sub
