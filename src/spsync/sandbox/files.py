"""Library folders and files: folder resolution, Files/add, upload sessions and file JSON.

Folder URLs may be server-relative or site-relative (the library passes them through), so both
resolve against the web; a folder exists when it is a library's root folder or below it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from .odata import SPError
from .routing import Segment
from .store import FileInfo, ListInfo, Store
from .wire import Request, Response, json_response

__all__ = ["FilesMixin", "file_missing"]

_INVALID = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException"


def file_missing() -> SPError:
    return SPError(404, "-2147024894, System.IO.FileNotFoundException", "File Not Found.")


class FilesMixin:
    """File endpoints of `Api`; needs `store`, `site_path`, `api_base`, `_lock`, `_uploads`."""

    store: Store
    site_path: str
    _lock: threading.Lock
    _uploads: dict[str, bytearray]
    api_base: Any
    site_url: Callable[[], str]

    # ---- files ------------------------------------------------------------------------------

    def _root_url(self, lst: ListInfo) -> str:
        return f"{self.site_path}/{lst.url_name}"

    def _abs_url(self, url: str) -> str:
        url = url.strip()
        if url.lower().startswith(("http://", "https://")):
            url = "/" + url.split("/", 3)[3]
        if not url.startswith("/"):
            url = f"{self.site_path}/{url}"
        return url.rstrip("/")

    def _folder(self, url: str) -> tuple[ListInfo, str]:
        """(library, folder url) of a server- or site-relative folder url."""
        url = self._abs_url(url)
        for lst in self.store.lists():
            root = self._root_url(lst)
            if url.lower() == root.lower() or url.lower().startswith(root.lower() + "/"):
                return lst, root + url[len(root):]
        raise file_missing()

    def _file_in(self, folder: str, name: str) -> FileInfo:
        f = self.store.get_file(folder, name)
        if f is None:
            raise file_missing()
        return f

    def _file_by_url(self, url: str) -> FileInfo:
        url = self._abs_url(url)
        folder, _, name = url.rpartition("/")
        return self._file_in(folder, name)

    def _file_of_item(self, lst: ListInfo, item_id: int) -> FileInfo:
        for f in self.store._files("list_id=? AND item_id=?", (lst.id, item_id)):
            return f
        raise file_missing()

    def _add_file(self, lst: ListInfo, folder: str, seg: Segment, req: Request) -> Response:
        if req.method != "POST":
            raise SPError(405, _INVALID, "Files/add needs POST.")
        name = str(seg.arg("url"))
        overwrite = bool(seg.kwargs.get("overwrite", seg.kwargs.get("Overwrite", False)))
        if "/" in name:
            lst, folder = self._folder(self._abs_url(name).rpartition("/")[0])
            name = name.rpartition("/")[2]
        if not overwrite and self.store.get_file(folder, name):
            raise SPError(400, "-2130575257, Microsoft.SharePoint.SPException",
                          f"A file with the name {folder}/{name} already exists.")
        return json_response(self._file_json(self.store.put_file(lst.id, folder, name, req.body,
                                                                editor=self.store.app_user())))

    def _upload(self, f: FileInfo, seg: Segment, req: Request) -> Response:
        if req.method != "POST":
            raise SPError(405, _INVALID, "Upload sessions need POST.")
        upload_id = str(seg.arg("uploadId")).lower()
        k = seg.key
        with self._lock:
            if k == "startupload":
                self._uploads[upload_id] = bytearray(req.body)
                return json_response({"StartUpload": str(len(self._uploads[upload_id]))})
            buf = self._uploads.get(upload_id)
            if buf is None:
                raise SPError(400, "-2147024809, System.ArgumentException",
                              "The upload session was not found.")
            if k == "cancelupload":
                del self._uploads[upload_id]
                return Response(200)
            offset = int(seg.kwargs.get("fileOffset", seg.kwargs.get("fileoffset", len(buf))))
            if offset != len(buf):
                raise SPError(400, "-2147024809, System.ArgumentException",
                              f"The file offset {offset} does not match the upload ({len(buf)}).")
            buf.extend(req.body)
            if k == "continueupload":
                return json_response({"ContinueUpload": str(len(buf))})
            del self._uploads[upload_id]
        info = self.store.set_file_content(f.unique_id, bytes(buf))
        return json_response(self._file_json(info))

    def _folder_json(self, lst: ListInfo, folder: str) -> dict[str, Any]:
        return {"__metadata": {"type": "SP.Folder"}, "Name": folder.rsplit("/", 1)[-1],
                "ServerRelativeUrl": folder, "Exists": True,
                "ItemCount": len(self.store.files_in(folder)),
                "UniqueId": str(uuid.uuid5(uuid.NAMESPACE_URL, folder.lower()))}

    def _file_json(self, f: FileInfo) -> dict[str, Any]:
        rel = f"Web/GetFileById('{f.unique_id}')"
        return {"__metadata": {"id": f"{self.api_base}/{rel}", "uri": f"{self.api_base}/{rel}",
                               "type": "SP.File"},
                "Name": f.name, "ServerRelativeUrl": f.server_relative_url, "Length": str(f.length),
                "UniqueId": f.unique_id, "ETag": f'"{{{f.unique_id.upper()}}},{f.version}"',
                "TimeCreated": f.created, "TimeLastModified": f.modified, "Exists": True,
                "MajorVersion": f.version, "MinorVersion": 0, "UIVersionLabel": f"{f.version}.0",
                "Title": None, "CheckOutType": 2, "Level": 1}


